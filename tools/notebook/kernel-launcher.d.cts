/** The nearest folder at or above `from` that holds the lab, or undefined. */
export declare function findLab(from: string): string | undefined;
/** The kernel program of the checkout at `root`: tools/notebook/kernel.cjs, or bin/kernel.cjs in a checkout from before the move. */
export declare function kernelModule(root: string): string;
