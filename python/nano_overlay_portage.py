"""nano-overlay's bridge to Portage.

Reads one JSON request on standard input and writes one JSON answer on standard output:
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "one line"}``. Portage's own messages go
to standard error. Requests (``op``):

- ``probe``: the Portage and bash versions this interpreter runs.
- ``regen``: generate metadata with egencache for each repository, reusing a content-keyed store
  of md5-cache entries, and list the ebuilds whose metadata could not be generated.
- ``image``: the runtime package set of a base package under a profile, resolved by Portage's
  depgraph the way build_image installs an image (binary packages only, USE respected, a separate
  ROOT), with every ebuild offered as a binary package built with the USE its profile gives it.
- ``pkgcheck``: pkgcheck's findings on packages of the overlay (when pkgcheck is installed).
- ``packages``: for every ebuild of the repositories under a profile: effective USE, IUSE, SLOT,
  KEYWORDS, visibility and each dependency class reduced under that USE.
"""

import contextlib
import grp
import io
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

DEPENDENCY_CLASSES = ("RDEPEND", "PDEPEND", "DEPEND", "BDEPEND", "IDEPEND")
RUNTIME_CLASSES = ("RDEPEND", "PDEPEND")
METADATA_KEYS = ("EAPI", "SLOT", "IUSE", "KEYWORDS", "LICENSE", "RESTRICT", "PROPERTIES", "DEFINED_PHASES") + DEPENDENCY_CLASSES


class BridgeError(Exception):
    """A problem the caller reports as one line."""


def write_config_root(request):
    """Writes a throw-away configuration root: repos.conf, make.profile and make.conf."""
    root = request["configRoot"]
    etc = os.path.join(root, "etc", "portage")
    os.makedirs(os.path.join(etc, "repos.conf"), exist_ok=True)
    repos = request["repos"]
    with open(os.path.join(etc, "repos.conf", "nano-overlay.conf"), "w") as out:
        out.write(repos_conf(repos))
    profile = request.get("profile")
    link = os.path.join(etc, "make.profile")
    if profile:
        overlay = repos[-1]["location"]
        target = os.path.join(overlay, "profiles", profile)
        if not os.path.isdir(target):
            raise BridgeError("profile %s does not exist in %s" % (profile, overlay))
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)
    user = pwd.getpwuid(os.getuid()).pw_name
    make_conf = {
        "ARCH": request.get("arch", ""),
        "CHOST": request.get("chost", ""),
        "ACCEPT_KEYWORDS": request.get("arch", ""),
        "PKGDIR": request.get("pkgdir", os.path.join(root, "packages")),
        "PORTAGE_TMPDIR": os.path.join(root, "tmp"),
        "FEATURES": "pkgdir-index-trusted -sandbox -usersandbox -network-sandbox -ipc-sandbox -pid-sandbox",
        "PORTAGE_USERNAME": user,
        "PORTAGE_GRPNAME": grp.getgrgid(os.getgid()).gr_name,
        "EMERGE_DEFAULT_OPTS": "",
        "ACCEPT_LICENSE": "*",
    }
    os.makedirs(make_conf["PORTAGE_TMPDIR"], exist_ok=True)
    with open(os.path.join(etc, "make.conf"), "w") as out:
        for key, value in make_conf.items():
            if value:
                out.write('%s="%s"\n' % (key, value))


def repos_conf(repos):
    """repos.conf naming the repositories of the tree under test; the first is the main one."""
    lines = ["[DEFAULT]", "main-repo = %s" % repos[0]["name"], ""]
    for priority, repo in enumerate(repos):
        lines += ["[%s]" % repo["name"], "location = %s" % repo["location"], "priority = %d" % priority, "auto-sync = no", ""]
    return "\n".join(lines)


def bash_path_env(request):
    """The environment for Portage's ebuild.sh: PATH starts with a directory holding `--bash PATH`."""
    env = dict(os.environ)
    bash = request.get("bash")
    if bash:
        shim = os.path.join(request["configRoot"], "bash-bin")
        os.makedirs(shim, exist_ok=True)
        link = os.path.join(shim, "bash")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(bash, link)
        env["PATH"] = shim + os.pathsep + env.get("PATH", "")
    env["PORTAGE_CONFIGROOT"] = request["configRoot"]
    return env


def op_probe(request):
    import portage

    bash = request.get("bash") or shutil.which("bash") or "bash"
    version = subprocess.run([bash, "-c", "echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"], capture_output=True, text=True)
    return {"portage": portage.VERSION, "python": sys.version.split()[0], "bash": version.stdout.strip(), "pym": os.path.dirname(portage.__file__)}


def egencache_command():
    import portage.const

    script = os.path.join(portage.const.PORTAGE_BIN_PATH, "egencache")
    if not os.path.exists(script):
        raise BridgeError("Portage's egencache was not found at %s" % script)
    return [sys.executable, script]


def ebuilds_of(location):
    """Every ebuild of a repository tree as (category, package, file name)."""
    for category in sorted(os.listdir(location)):
        if category in ("eclass", "metadata", "profiles", "licenses", "scripts") or category.startswith("."):
            continue
        category_dir = os.path.join(location, category)
        if not os.path.isdir(category_dir):
            continue
        for package in sorted(os.listdir(category_dir)):
            package_dir = os.path.join(category_dir, package)
            if not os.path.isdir(package_dir):
                continue
            for name in sorted(os.listdir(package_dir)):
                if name.endswith(".ebuild"):
                    yield category, package, name


def ebuild_eapi(path):
    with open(path, encoding="utf-8", errors="replace") as text:
        for line in text:
            stripped = line.strip()
            if stripped.startswith("EAPI="):
                return stripped[5:].strip("\"' ")
    return "0"


def copy_entries(source, destination):
    """Copies md5-cache entries (category/PF files) from source to destination, overwriting, keeping their times."""
    if not os.path.isdir(source):
        return
    for category in os.listdir(source):
        source_dir = os.path.join(source, category)
        if not os.path.isdir(source_dir):
            continue
        target_dir = os.path.join(destination, category)
        os.makedirs(target_dir, exist_ok=True)
        for name in os.listdir(source_dir):
            shutil.copy2(os.path.join(source_dir, name), os.path.join(target_dir, name))


def op_regen(request):
    """Runs egencache on each repository; entries from the store are reused when their checksums match."""
    write_config_root(request)
    env = bash_path_env(request)
    failed = []
    regenerated = {}
    for repo in request["repos"]:
        cache = os.path.join(repo["location"], "metadata", "md5-cache")
        stamp = os.path.join(repo["location"], "metadata", request.get("stamp", ".nano-overlay-regen"))
        store = os.path.join(request["store"], repo["name"])
        if os.path.exists(stamp):
            with open(stamp) as done:
                failed += json.load(done)
            continue
        copy_entries(store, cache)
        before = time.time()
        command = egencache_command() + ["--update", "--repo", repo["name"], "--jobs", str(request.get("jobs", 2)), "--tolerant", "--repositories-configuration", repos_conf(request["repos"])]
        run = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if run.returncode not in (0, 1):
            raise BridgeError("egencache failed for %s: %s" % (repo["name"], last_line(run.stderr)))
        missing = []
        count = 0
        for category, package, name in ebuilds_of(repo["location"]):
            entry = os.path.join(cache, category, name[: -len(".ebuild")])
            if not os.path.exists(entry):
                path = os.path.join(category, package, name)
                missing.append({"repo": repo["name"], "path": path, "eapi": ebuild_eapi(os.path.join(repo["location"], path))})
            elif os.stat(entry).st_mtime >= before:
                count += 1
        regenerated[repo["name"]] = count
        copy_entries(cache, store)
        with open(stamp, "w") as done:
            json.dump(missing, done)
        failed += missing
    return {"failed": failed, "regenerated": regenerated}


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


@contextlib.contextmanager
def portage_output_to_stderr():
    """Portage prints to standard output; the answer must be the only thing there."""
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved


def create_trees(request, target_root):
    os.environ["PORTAGE_CONFIGROOT"] = request["configRoot"]
    os.environ["ROOT"] = target_root
    os.environ["PORTAGE_REPOSITORIES"] = repos_conf(request["repos"])
    from _emerge.actions import load_emerge_config
    from portage.output import nocolor

    nocolor()

    trees = load_emerge_config().trees
    eroot = trees._target_eroot
    return trees, eroot


def dependency_entries(raw):
    """Every atom of a dependency string with the USE conditions around it and whether it sits in `|| ( )`."""
    entries = []
    stack = []
    pending = None
    for token in raw.split():
        if token.endswith("?"):
            pending = ("cond", token[:-1])
        elif token == "||":
            pending = ("any", None)
        elif token == "(":
            stack.append(pending or ("group", None))
            pending = None
        elif token == ")":
            if stack:
                stack.pop()
        else:
            pending = None
            conditions = [frame[1] for frame in stack if frame[0] == "cond"]
            entries.append({"atom": token, "conditions": conditions, "anyOf": any(frame[0] == "any" for frame in stack)})
    return entries


def conditions_hold(conditions, use):
    for condition in conditions:
        if condition.startswith("!"):
            if condition[1:] in use:
                return False
        elif condition not in use:
            return False
    return True


class Profile:
    """Portage's view of a profile: effective USE and reduced dependencies of ebuilds."""

    def __init__(self, trees, eroot):
        self.settings = trees[eroot]["porttree"].settings
        self.portdb = trees[eroot]["porttree"].dbapi
        self.config = __import__("portage").config(clone=self.settings)

    def metadata(self, cpv):
        return dict(zip(METADATA_KEYS, self.portdb.aux_get(cpv, list(METADATA_KEYS) + [], myrepo=None)))

    def effective_use(self, cpv, repo=None):
        from portage.versions import _pkg_str

        metadata = self.metadata_with_repo(cpv, repo)
        self.config.setcpv(_pkg_str(cpv, metadata=metadata, settings=self.config), mydb=metadata)
        return sorted(set(self.config["PORTAGE_USE"].split()))

    def metadata_with_repo(self, cpv, repo):
        keys = list(METADATA_KEYS) + ["repository"]
        values = self.portdb.aux_get(cpv, keys, myrepo=repo)
        return dict(zip(keys, values))

    def reduce(self, raw, use, eapi):
        from portage.dep import paren_enclose, use_reduce

        return paren_enclose(use_reduce(raw, uselist=use, eapi=eapi, opconvert=False))


def offer_binary_packages(profile, bintree, atoms):
    """Writes the board's package index: each ebuild reachable from `atoms` as a binary package
    built with the USE its profile gives it (dependencies stored reduced, as binary packages hold them)."""
    from portage.dep import Atom, use_reduce

    pkgindex = bintree._new_pkgindex()
    pkgindex.header["VERSION"] = str(bintree._pkgindex_version)
    pkgindex.header["TIMESTAMP"] = str(int(time.time()))
    seen = set()
    queue = list(atoms)
    while queue:
        atom = queue.pop()
        for cpv in profile.portdb.xmatch("match-all", atom):
            repo = getattr(cpv, "repo", None)
            key = (str(cpv), repo)
            if key in seen:
                continue
            seen.add(key)
            metadata = profile.metadata_with_repo(cpv, repo)
            use = profile.effective_use(cpv, repo)
            entry = {"CPV": str(cpv), "USE": " ".join(use), "repository": metadata["repository"], "BUILD_TIME": "1", "SIZE": "0", "MTIME": "1", "PATH": "%s.gpkg.tar" % cpv}
            for name in METADATA_KEYS:
                # IDEPEND is installed into the build root (the SDK), never into the image; the empty
                # running root here has nothing to satisfy it with, so the offered packages leave it out.
                value = metadata.get(name, "") if name != "IDEPEND" else ""
                if name in DEPENDENCY_CLASSES or name in ("LICENSE", "RESTRICT", "PROPERTIES"):
                    value = profile.reduce(value, use, metadata["EAPI"])
                entry[name] = value
            pkgindex.packages.append(entry)
            for name in RUNTIME_CLASSES:
                for token in use_reduce(metadata.get(name, ""), uselist=use, eapi=metadata["EAPI"], flat=True):
                    if token == "||" or token.startswith("!"):
                        continue
                    queue.append(Atom(token).without_use)
    os.makedirs(bintree.pkgdir, exist_ok=True)
    with open(os.path.join(bintree.pkgdir, "Packages"), "w", encoding="utf-8") as out:
        pkgindex.write(out)
    return len(seen)


@contextlib.contextmanager
def portage_session(request):
    """Portage configured by a fresh configuration root for an empty ROOT: (trees, eroot, profile)."""
    write_config_root(request)
    image_root = request["imageRoot"]
    os.makedirs(image_root, exist_ok=True)
    with portage_output_to_stderr():
        trees, eroot = create_trees(request, image_root)
        yield trees, eroot, Profile(trees, eroot)


def op_image(request):
    """Resolves the image the way build_image installs it and returns its packages and edges."""
    with portage_session(request) as (trees, eroot, profile):
        bintree = trees[eroot]["bintree"]
        offered = offer_binary_packages(profile, bintree, [request["package"]])
        bintree.populate()
        graph, problems = resolve(trees, eroot, request["package"])
    if graph is None:
        raise BridgeError("Portage could not resolve %s: %s" % (request["package"], problems))
    return dict(graph, offered=offered)


def resolve(trees, eroot, package):
    from _emerge.create_depgraph_params import create_depgraph_params
    from _emerge.depgraph import backtrack_depgraph
    from _emerge.stdout_spinner import stdout_spinner

    options = {"--usepkgonly": True, "--usepkg": True, "--binpkg-respect-use": "y", "--pretend": True, "--oneshot": True, "--with-bdeps": "n", "--quiet": True}
    params = create_depgraph_params(options, "")
    spinner = stdout_spinner()
    spinner.update = lambda: True
    settings = trees[eroot]["porttree"].settings
    success, depgraph, _favorites = backtrack_depgraph(settings, trees, options, params, "", [package], spinner)
    if not success:
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            depgraph.display_problems()
        return None, " ".join(line.strip() for line in captured.getvalue().splitlines() if line.strip())[:2000]
    return describe_graph(depgraph, eroot, package), None


def describe_graph(depgraph, eroot, package):
    """The packages of the image root and, for each, the parents that pulled it in and how."""
    nodes = [node for node in depgraph._dynamic_config.digraph if getattr(node, "root", None) == eroot and getattr(node, "cpv", None) is not None and node.operation == "merge"]
    packages = []
    edges = []
    parent_atoms = depgraph._dynamic_config._parent_atoms
    for node in sorted(nodes, key=lambda pkg: str(pkg.cpv)):
        packages.append(
            {
                "cpv": str(node.cpv),
                "cp": node.cp,
                "version": node.cpv.version,
                "slot": node.slot,
                "subslot": node.sub_slot,
                "repo": node.repo,
                "use": sorted(node.use.enabled & set(node.iuse.all)),
                "type": node.type_name,
            }
        )
        for parent, atom in sorted(parent_atoms.get(node, ()), key=lambda item: (str(item[0]), str(item[1]))):
            if not hasattr(parent, "cpv") or parent.root != eroot:
                edges.append({"parent": None, "child": str(node.cpv), "atom": str(atom), "classes": [], "conditions": [], "anyOf": False})
                continue
            edges.append(dict(admitting(parent, atom), parent=str(parent.cpv), child=str(node.cpv), atom=str(getattr(atom, "unevaluated_atom", atom))))
    return {"package": package, "packages": packages, "edges": edges}


def admitting(parent, atom):
    """The runtime dependency classes and USE conditions of the parent's own metadata that admitted
    `atom`: the entry written as the atom, else (a virtual Portage expanded) any entry of its name."""
    from portage.dep import Atom
    from portage.exception import InvalidAtom

    wanted = str(getattr(atom, "unevaluated_atom", atom))
    use = parent.use.enabled
    candidates = []
    for name in RUNTIME_CLASSES:
        raw = source_metadata(parent, name) if parent.type_name == "binary" else parent._metadata.get(name, "")
        for entry in dependency_entries(raw):
            if conditions_hold(entry["conditions"], use) and not entry["atom"].startswith("!"):
                candidates.append((name, entry))
    exact = [item for item in candidates if item[1]["atom"] == wanted]
    if not exact:
        for name, entry in candidates:
            try:
                if Atom(entry["atom"]).cp == atom.cp:
                    exact.append((name, entry))
            except InvalidAtom:
                continue
    classes = []
    conditions = []
    for name, entry in exact:
        if name not in classes:
            classes.append(name)
        conditions += [condition for condition in entry["conditions"] if condition not in conditions]
    return {"classes": classes, "conditions": conditions, "anyOf": any(entry["anyOf"] for _name, entry in exact)}


SOURCE_METADATA = {}


def source_metadata(pkg, name):
    """The unreduced dependency string of a binary package's ebuild, where the conditions are still written."""
    key = (str(pkg.cpv), pkg.repo)
    if key not in SOURCE_METADATA:
        portdb = pkg.root_config.trees["porttree"].dbapi
        try:
            SOURCE_METADATA[key] = dict(zip(DEPENDENCY_CLASSES, portdb.aux_get(str(pkg.cpv), list(DEPENDENCY_CLASSES), myrepo=pkg.repo)))
        except KeyError:
            SOURCE_METADATA[key] = {}
    return SOURCE_METADATA[key].get(name, "")


def op_packages(request):
    """Every ebuild of the repositories under the profile, as Portage sees it."""
    with portage_session(request) as (_trees, _eroot, profile):
        records = []
        for repo in request["repos"]:
            for category, package, name in ebuilds_of(repo["location"]):
                cpv = "%s/%s" % (category, name[: -len(".ebuild")])
                try:
                    metadata = profile.metadata_with_repo(cpv, repo["name"])
                except KeyError:
                    continue
                use = profile.effective_use(cpv, repo["name"])
                visible = bool(profile.portdb.xmatch("match-visible", "=%s::%s" % (cpv, repo["name"])))
                record = {"cpv": cpv, "repo": repo["name"], "use": use, "iuse": metadata["IUSE"].split(), "slot": metadata["SLOT"], "keywords": metadata["KEYWORDS"].split(), "visible": visible}
                for dep in DEPENDENCY_CLASSES:
                    record[dep] = profile.reduce(metadata.get(dep, ""), use, metadata["EAPI"])
                records.append(record)
    return {"packages": records}


def op_pkgcheck(request):
    """pkgcheck's findings on packages of the overlay, with the profile and repositories of the tree."""
    write_config_root(request)
    command = shutil.which("pkgcheck", path=os.path.dirname(sys.executable)) or shutil.which("pkgcheck")
    if command is None or not request.get("targets"):
        return {"available": command is not None, "findings": []}
    run = subprocess.run(
        [command, "--config", os.path.join(request["configRoot"], "etc", "portage"), "scan", "-r", request["repos"][-1]["location"], "-R", "JsonReporter"] + request["targets"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if run.returncode not in (0, 1):
        raise BridgeError("pkgcheck failed: %s" % last_line(run.stderr))
    findings = []
    for line in run.stdout.splitlines():
        if line.strip():
            findings += pkgcheck_results(json.loads(line))
    return {"available": True, "findings": findings}


def pkgcheck_results(record):
    """Flattens one JsonReporter line ({cat: {pkg: {version: {_level: {Keyword: message}}}}}) into findings."""
    results = []

    def walk(node, where):
        for key, value in node.items():
            if key.startswith("_"):
                for keyword, message in value.items():
                    results.append(dict(where, level=key[1:], keyword=keyword, message=message))
            else:
                names = ("category", "package", "version")
                walk(value, dict(where, **{names[len(where)]: key}))

    walk(record, {})
    return results


OPS = {"probe": op_probe, "regen": op_regen, "image": op_image, "packages": op_packages, "pkgcheck": op_pkgcheck}


def main():
    answer_stream = sys.stdout
    try:
        request = json.load(sys.stdin)
        operation = OPS.get(request.get("op"))
        if operation is None:
            raise BridgeError("unknown request %r" % request.get("op"))
        answer = {"ok": True, "result": operation(request)}
    except ImportError as error:
        answer = {"ok": False, "error": "Portage cannot be imported: %s" % error}
    except BridgeError as error:
        answer = {"ok": False, "error": str(error)}
    json.dump(answer, answer_stream)
    answer_stream.write("\n")
    answer_stream.flush()


if __name__ == "__main__":
    main()
