export declare function startKernel(kernel: string, connectionFile: string, root: string): void;
export declare function denoBinary(root: string, platform: NodeJS.Platform): string;
