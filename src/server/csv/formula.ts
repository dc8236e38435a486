/**
 * CSV files from the station are opened in Excel at the wellsite. Free text that a spreadsheet
 * would run as a formula (=, +, -, @, tab or CR first: OWASP's list) gets a leading apostrophe,
 * which spreadsheets show as plain text. Every export applies it to every free-text column.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const neutraliseFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);
