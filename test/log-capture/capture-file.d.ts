export declare const captureFile: string;
