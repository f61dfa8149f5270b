/** Name and version written into reports; a test keeps this equal to package.json. */
export const LIBRARY_NAME = "tunix-rt";
/** The package version (kept equal to package.json by a test). */
export const LIBRARY_VERSION = "0.1.0";
