/**
 * Structured edits: changes a layer makes to an upstream file, redone against whatever the file
 * holds at apply time instead of against line numbers. A layer manifest lists them in YAML; the
 * field names below are the YAML keys.
 *
 * A `flag` that guards code or dependencies may start with `!`: `openssh` means "when the openssh
 * USE flag is on", `!openssh` means "when it is off".
 */

/**
 * Adds a flag to the ebuild's IUSE, `+flag` when `default` is `on`.
 *
 * ```yaml
 * - type: iuse-add
 *   flag: openssh
 *   default: on
 * ```
 */
export interface IuseAdd {
  readonly type: 'iuse-add';
  /** The USE flag name, without `+`/`-`. */
  readonly flag: string;
  /** `on` declares `+flag` (enabled unless a profile turns it off), `off` declares `flag`. */
  readonly default: 'on' | 'off';
}

/**
 * Puts an existing dependency under a USE conditional: every occurrence of the package in the
 * dependency variables becomes `flag? ( <atom as written> )`, whatever operator, version, slot or
 * USE dependencies it carries. Blockers (`!cat/pkg`) are not matched.
 *
 * ```yaml
 * - type: dep-conditional
 *   variable: RDEPEND      # optional; every *DEPEND variable when omitted
 *   atom: net-misc/openssh # category/package
 *   flag: openssh
 * ```
 */
export interface DepConditional {
  readonly type: 'dep-conditional';
  /** A variable whose name ends in DEPEND (RDEPEND, BDEPEND, COMMON_DEPEND, …); all of them when omitted. */
  readonly variable?: string;
  /** `category/package`. */
  readonly atom: string;
  readonly flag: string;
}

/**
 * Appends `if use flag; then <body> fi` at the end of a function (a phase such as src_install, or
 * any function of the ebuild, e.g. python_install).
 *
 * ```yaml
 * - type: phase-append
 *   phase: src_install
 *   flag: "!openssh"
 *   body: |
 *     rm -f "${ED}"/usr/lib/systemd/system/sshd.socket || die
 *   createPhase: true   # optional: add the function when the ebuild has none
 *   callDefault: true   # optional: the created function calls `default` first
 * ```
 */
export interface PhaseAppend {
  readonly type: 'phase-append';
  /** The function's name. */
  readonly phase: string;
  readonly flag: string;
  /** Shell lines, already rendered; they are re-indented as a whole, their relative indentation kept. */
  readonly body: string;
  /**
   * When the function is missing, add it at the end of the file instead of failing. A created
   * phase replaces the one an inherited eclass may export.
   */
  readonly createPhase?: boolean;
  /** The created function starts with `default` (only for phases that have a default). */
  readonly callDefault?: boolean;
}

/**
 * Applies a patch from FILESDIR when the flag condition holds, with the idiom
 * `if use flag; then eapply "${FILESDIR}/<patch>"; fi` at the start of src_prepare (before
 * `default`, so the patch applies to the unpacked sources first). When the ebuild has no
 * src_prepare, one is added that runs the block and then `prepareCall`.
 *
 * ```yaml
 * - type: patches-add
 *   flag: "!openssh"      # applied when openssh is off
 *   patch: 0003-no-ssh-host-keys.patch
 *   prepareCall: distutils-r1_src_prepare   # optional, `default` when omitted
 * ```
 */
export interface PatchesAdd {
  readonly type: 'patches-add';
  /** The patch is applied when `use <flag>` holds (`!flag`: when the flag is off). */
  readonly flag: string;
  /** Path relative to FILESDIR; may use ebuild variables such as `${PN}`. */
  readonly patch: string;
  /**
   * The command a created src_prepare runs after the block: `default`, or the phase of an
   * inherited eclass that exports src_prepare (`distutils-r1_src_prepare`, `cmake_src_prepare`).
   */
  readonly prepareCall?: string;
}

/**
 * Adds a line to a line-oriented file (profile files such as package.use, make.defaults, parent,
 * profiles.desc): at the end, or after the first line equal to `after` (compared trimmed).
 *
 * ```yaml
 * - type: line-add
 *   line: "coreos-base/coreos-init -openssh"
 *   after: "# Nano"   # optional
 * ```
 */
export interface LineAdd {
  readonly type: 'line-add';
  readonly line: string;
  readonly after?: string;
}

/**
 * Removes every line equal to `line` (compared trimmed). When none is there the desired state
 * already holds and the edit reports already-applied.
 *
 * ```yaml
 * - type: line-remove
 *   line: "sys-apps/systemd curl"
 * ```
 */
export interface LineRemove {
  readonly type: 'line-remove';
  readonly line: string;
}

/**
 * Describes a USE flag in the package's metadata.xml (`<flag name="…">` in its `<use>` block, which
 * is created when missing), as `equery uses` and pkgcheck's UnknownUseFlags read it. When the file
 * describes the flag already, whatever the words, the edit reports already-applied.
 *
 * ```yaml
 * - type: metadata-flag
 *   flag: openssh
 *   description: Install the sshd units and host-key set-up
 * ```
 */
export interface MetadataFlag {
  readonly type: 'metadata-flag';
  readonly flag: string;
  /** One line of prose; `&`, `<` and `>` are escaped. */
  readonly description: string;
}

/** Every structured edit, told apart by `type`. */
export type StructuredEdit = IuseAdd | DepConditional | PhaseAppend | PatchesAdd | LineAdd | LineRemove | MetadataFlag;

/** The type names, as written in YAML. */
export const EDIT_TYPES = [
  'iuse-add',
  'dep-conditional',
  'phase-append',
  'patches-add',
  'line-add',
  'line-remove',
  'metadata-flag',
] as const;

/** What an edit is applied for, named in its errors. */
export interface EditContext {
  /** The file's path in the tree. */
  readonly file: string;
  /** The layer the edit belongs to. */
  readonly layer: string;
}

/** The edited text; `already-applied` when the file already held the change (the text is then unchanged). */
export interface EditResult {
  readonly text: string;
  readonly status: 'applied' | 'already-applied';
}
