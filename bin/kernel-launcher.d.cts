/** The nearest folder at or above `from` that holds the lab, or undefined. */
export declare function findLab(from: string): string | undefined;
