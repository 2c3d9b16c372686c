/** One violation of a registry convention; every finding fails the check. */
export interface LintFinding {
  rule: 'mutation-input' | 'mutation-result' | 'entity-owner' | 'entity-field-nullable' | 'enum-values-only-grow';
  /** The subgraphs whose SDL has to change to fix it. */
  subgraphs: string[];
  coordinate: string;
  message: string;
}
