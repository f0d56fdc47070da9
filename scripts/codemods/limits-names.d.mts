/** Types of limits-names.mjs (the codemod is plain node; its test imports it). */
export declare const OBJECT_RENAMES: Readonly<Record<string, string>>;
export declare const KEY_RENAMES: ReadonlyArray<readonly [string, string, string, string?, { bare?: boolean }?]>;
export declare const CENTER_OBJECT: string;
export declare const CENTER_RENAMES: Readonly<Record<string, string>>;
export declare function transform(text: string, file: string, report?: (note: string) => void): string;
/** Throws if the tables are ambiguous or a second run would rename again. */
export declare function checkTables(): void;
