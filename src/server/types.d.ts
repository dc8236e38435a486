declare module 'swagger-ui-dist' {
  /** Folder of the bundled Swagger UI assets. */
  export function getAbsoluteFSPath(): string;
  const swaggerUi: { getAbsoluteFSPath: typeof getAbsoluteFSPath };
  export default swaggerUi;
}
