import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEbuildPath } from '../../src/portage/ebuild-path.js';
import { staticMetadata } from '../../src/portage/metadata.js';
import { braceExpand, globMatches, verCut } from '../../src/portage/shell-eval.js';

/** The static value of KEYWORDS and SLOT for `body` read as `name`. */
async function read(body: string, name = 'app-shells/demo/demo-5.2_p15.ebuild') {
  const meta = await staticMetadata(`EAPI=8\n${body}\n`, parseEbuildPath(name)!, async () => undefined);
  return { slot: meta.slot, subslot: meta.subslot, keywords: meta.keywords.join(' '), iuse: [...meta.iuse.keys()].join(' '), unknown: meta.notUnderstood.map((entry) => entry.variable) };
}

describe('shell evaluation helpers', () => {
  it('matches globs, cuts versions and expands braces as bash does', () => {
    expect(globMatches('*9999*', '0.9999')).toBe(true);
    expect(globMatches('[0-9]*_p*', '5.2_p15')).toBe(true);
    expect(globMatches('9999', '99999')).toBe(false);
    expect(verCut('1-2', '5.2_p15')).toBe('5.2');
    expect(verCut('3-', '1.2.3b_rc4')).toBe('3b_rc4');
    expect(braceExpand('python3_{11..13}')).toEqual(['python3_11', 'python3_12', 'python3_13']);
    expect(braceExpand('abi_x86_{32,64}')).toEqual(['abi_x86_32', 'abi_x86_64']);
  });
});

describe('pattern substitution', () => {
  it('replaces a pattern without glob characters as the same pattern read through the glob matcher does', async () => {
    const value = fc.stringMatching(/^[ab.-]{0,8}$/);
    const pattern = fc.stringMatching(/^[ab.-]{1,3}$/);
    await fc.assert(
      fc.asyncProperty(value, pattern, fc.constantFrom('/', '//', '/#', '/%'), async (text, literal, operator) => {
        // Escaped characters stand for themselves, but a pattern holding `\` is read as a glob.
        const escaped = [...literal].map((char) => `\\${char}`).join('');
        const slot = (pattern: string) => read(`X="${text}"\nSLOT="\${X${operator}${pattern}/R}"`);
        expect((await slot(literal)).slot).toBe((await slot(escaped)).slot);
      }),
      { numRuns: 150 },
    );
    expect((await read('X=a.b.c\nSLOT="${X//./_}${X/./-}${X/#a/A}${X/%c/C}"')).slot).toBe('a_b_ca-b.cA.b.ca.b.C');
  });
});

describe('eclass evaluations replayed for later ebuilds', () => {
  // With the blob cache off every ebuild is evaluated, so an eclass evaluation either runs or is replayed.
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.NANO_OVERLAY_CACHE;
    process.env.NANO_OVERLAY_CACHE = 'off';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.NANO_OVERLAY_CACHE;
    else process.env.NANO_OVERLAY_CACHE = saved;
  });
  const ECLASSES = new Map([
    ['versioned', 'IUSE="v_${PN}"\nif [[ ${PV} == 9999 ]]; then KEYWORDS=""; else KEYWORDS="amd64"; fi\nversioned_flags() { IUSE+=" from_function"; }\ninherit nested\n'],
    ['nested', 'IUSE+=" nested_a"\n'],
  ]);
  const metadata = async (path: string, body: string, eclasses = ECLASSES) => {
    const read = await staticMetadata(`EAPI=8\n${body}\n`, parseEbuildPath(path)!, async (name) => eclasses.get(name));
    return { iuse: [...read.iuse.keys()].sort(), keywords: read.keywords };
  };

  it('give each ebuild what evaluating its eclasses gives, functions and inherited eclasses included', async () => {
    const calling = 'inherit versioned\nversioned_flags';
    expect(await metadata('app-misc/one/one-1.ebuild', calling)).toEqual({ iuse: ['from_function', 'nested_a', 'v_one'], keywords: ['amd64'] });
    // Replayed: the same PN and PV, so the function the eclass defined is there to call.
    expect(await metadata('app-other/one/one-1.ebuild', `${calling}\nIUSE+=" own"`)).toEqual({
      iuse: ['from_function', 'nested_a', 'own', 'v_one'],
      keywords: ['amd64'],
    });
    // The eclass reads PV and PN: another version or package is evaluated anew.
    expect(await metadata('app-misc/one/one-9999.ebuild', calling)).toEqual({ iuse: ['from_function', 'nested_a', 'v_one'], keywords: [] });
    expect(await metadata('app-misc/two/two-1.ebuild', 'inherit versioned')).toEqual({ iuse: ['nested_a', 'v_two'], keywords: ['amd64'] });
    // The same answers to every read, but another text of the eclass it inherits.
    const otherNested = new Map([...ECLASSES, ['nested', 'IUSE+=" nested_b"\n']]);
    expect(await metadata('app-other/two/two-1.ebuild', 'inherit versioned', otherNested)).toEqual({ iuse: ['nested_b', 'v_two'], keywords: ['amd64'] });
  });
});

describe('static metadata of real ebuild idioms', () => {
  it('evaluates parameter operations, case, arithmetic, lists and regex tests', async () => {
    const body = [
      'MY_PV=${PV/_p*}',
      'case ${PV} in',
      '\t9999|*_alpha*) PLEVEL=-1 ;;',
      '\t*_p*) PLEVEL=${PV##*_p} ;;',
      '\t*) PLEVEL=0',
      'esac',
      'SLOT="${MY_PV}"',
      'if (( PLEVEL >= 0 )); then KEYWORDS="amd64"; fi',
      '[[ ${PV} =~ _p[0-9]+$ ]] && IUSE+=" patched"',
      '[[ -z ${UNSET} ]] || IUSE+=" never"',
      'IUSE+=" ${PN^^} ${P:0:4} ${PV//./_}"',
    ].join('\n');
    expect(await read(body)).toEqual({ slot: '5.2', subslot: undefined, keywords: 'amd64', iuse: 'patched DEMO demo 5_2_p15', unknown: [] });
    expect((await read(body, 'app-shells/demo/demo-9999.ebuild')).keywords).toBe('');
  });

  it('calls functions defined at global scope, with locals and for loops', async () => {
    const body = [
      'IMPLS=( a b )',
      '_set_globals() {',
      '\tlocal flags=( "${IMPLS[@]/#/impl_}" ) i',
      '\tfor i in "${flags[@]}"; do IUSE+=" ${i}"; done',
      '\thas b "${IMPLS[@]}" && REQUIRED_USE="|| ( ${flags[*]} )"',
      '}',
      '_set_globals',
      'unset -f _set_globals',
      'SLOT=0',
    ].join('\n');
    const meta = await staticMetadata(`EAPI=8\n${body}\n`, parseEbuildPath('a/b/b-1.ebuild')!, async () => undefined);
    expect([...meta.iuse.keys()]).toEqual(['impl_a', 'impl_b']);
    expect(meta.requiredUse).toBe('|| ( impl_a impl_b )');
    expect(meta.notUnderstood).toEqual([]);
  });

  it('assigns defaults with : "${VAR:=value}", as acct-group does', async () => {
    expect(await read(': "${SLOT:=0}"\n: "${KEYWORDS:=amd64 ~arm64}"\n: "${SLOT:=1}"')).toMatchObject({ slot: '0', keywords: 'amd64 ~arm64', unknown: [] });
  });

  it('indexes arrays and compares an empty operand as 0', async () => {
    const body = 'stable=( 18 19 20 )\nIUSE="+llvm_slot_${stable[-1]} first_${stable[0]}"\nif [[ $(ver_cut 5) -ge 90 ]]; then SLOT=pre; else SLOT=${#stable[@]}; fi';
    expect(await read(body)).toMatchObject({ slot: '3', iuse: 'llvm_slot_20 first_18', unknown: [] });
  });

  it('evaluates printf -v with one %s, as edk2-bin builds its IUSE', async () => {
    const body = 'T="aarch64 x86_64"\nprintf -v IUSE \' qemu_softmmu_targets_%s\' ${T}\nprintf -v SLOT \'%d\' 1';
    expect(await read(body)).toMatchObject({ iuse: 'qemu_softmmu_targets_aarch64 qemu_softmmu_targets_x86_64', unknown: ['SLOT'] });
  });

  it('reports a SLOT built by a command it does not run as not understood', async () => {
    expect((await read('SLOT="$(get_version_component_range 1)"')).unknown).toEqual(['SLOT']);
  });
});
