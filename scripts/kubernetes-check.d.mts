// Types of scripts/kubernetes-check.mjs, for the test that exercises it.
export function problemsOf(object: unknown): Promise<string[]>;
export function render(directory: string): unknown[];
export function kustomizations(): string[];
