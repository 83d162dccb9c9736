/**
 * CSAF 2.0 validation with BSI's validator (`@secvisogram/csaf-validator-lib`):
 * the JSON schema (CSAF 2.0 §3, `csaf_2_0` schema test) and the mandatory
 * tests (§6.1). The library is loaded once, lazily, and only its schema and
 * mandatory modules: the optional and informative ones pull in hunspell and
 * network checks a gateway has no use for, and its `validateStrict` entry
 * point imports all of them (30 s on a loaded Pi-class machine).
 */

export interface ValidationResult {
  readonly ok: boolean;
  /** The first few failures, each "<instance path> <message> (<test>)". */
  readonly reasons: readonly string[];
}

type DocumentTest = (doc: unknown) => { isValid?: boolean; errors?: Array<{ instancePath: string; message?: string }> } | Promise<{ isValid?: boolean; errors?: Array<{ instancePath: string; message?: string }> }>;

export class CsafValidator {
  private tests: Promise<ReadonlyArray<readonly [string, DocumentTest]>> | undefined;
  /** Milliseconds the library took to load (0 until it has). */
  loadMs = 0;

  private load(): Promise<ReadonlyArray<readonly [string, DocumentTest]>> {
    this.tests ??= (async () => {
      const t0 = performance.now();
      // Specifiers through a variable: the package ships JavaScript with JSDoc types only.
      const base = '@secvisogram/csaf-validator-lib';
      const schema = (await import(`${base}/schemaTests.js`)) as Record<string, DocumentTest>;
      const mandatory = (await import(`${base}/mandatoryTests.js`)) as Record<string, DocumentTest>;
      this.loadMs = performance.now() - t0;
      return [['csaf_2_0', schema.csaf_2_0!] as const, ...Object.entries(mandatory)];
    })();
    return this.tests;
  }

  async validate(doc: unknown): Promise<ValidationResult> {
    const reasons: string[] = [];
    for (const [name, test] of await this.load()) {
      let r;
      try {
        r = await test(doc);
      } catch (err) {
        // A test that throws on a hostile document rejects the document, never the feed.
        reasons.push(`/ ${err instanceof Error ? err.message : String(err)} (${name})`);
        continue;
      }
      if (r.isValid === false || (r.errors?.length ?? 0) > 0) {
        for (const e of (r.errors ?? []).slice(0, 3)) reasons.push(`${e.instancePath || '/'} ${e.message ?? 'invalid'} (${name})`);
        if ((r.errors ?? []).length === 0) reasons.push(`/ invalid (${name})`);
      }
      // The schema decides first: the mandatory tests assume its shapes.
      if (name === 'csaf_2_0' && reasons.length > 0) break;
      if (reasons.length >= 5) break;
    }
    return { ok: reasons.length === 0, reasons };
  }
}
