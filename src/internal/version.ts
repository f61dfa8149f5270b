/** The tunix-rt package version, recorded in manifests (a test keeps it equal to package.json's). */
export const LIBRARY_VERSION = "0.1.0";
