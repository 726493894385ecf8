import type { PageMeasurement } from "./checks";
/** Runs in the page (page.evaluate): what a person sees of each code cell. */
export declare function measureNotebook(): PageMeasurement;
