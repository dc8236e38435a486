// Only the path helper: the package's main module also loads the 1.5 MB Swagger UI bundle into
// Node, which cost the station's start-up time for nothing (the browser loads it from /docs/assets).
declare module 'swagger-ui-dist/absolute-path.js' {
  /** Folder of the bundled Swagger UI assets. */
  export default function getAbsoluteFSPath(): string;
}
