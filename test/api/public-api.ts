/**
 * The public API as the TypeScript compiler sees it: every export of src/index.ts, whether its
 * declaration has a TSDoc comment, and the construct classes of src/ with their props types.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const INDEX = path.join(__dirname, '..', '..', 'src', 'index.ts');

/** One exported name. */
export interface PublicExport {
  readonly name: string;
  /** Where it is declared, relative to the repository (file:line). */
  readonly where: string;
  /** Whether the declaration carries a TSDoc comment. */
  readonly documented: boolean;
}

/** A class that extends Construct (directly or not), with the type name of its props parameter. */
export interface ConstructClass {
  readonly name: string;
  readonly where: string;
  readonly propsType?: string;
}

export interface PublicApi {
  readonly exports: PublicExport[];
  readonly constructs: ConstructClass[];
}

/** Source files parsed by earlier calls, by file name (every call uses the same compiler options). */
const parsedFiles = new Map<string, ts.SourceFile>();

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src') + path.sep;
/** A file of node_modules outside the packages construct classes derive from. */
const UNREAD_PACKAGE = /[\\/]node_modules[\\/](?!(?:cdk8s|cdk8s-plus-27|constructs)[\\/])/;

/**
 * For a generated module of imports/ (3.4 MB of TypeScript), its declarations as `npm test`'s
 * type check wrote them (lib/types/imports/, 1.1 MB), when they are at least as new: the same
 * types, a third to parse. The exports checked here are all declared in src/. The type check runs
 * beside jest (scripts/test.cjs) and may be writing them: tsc writes its build info after the
 * declarations, so declarations newer than the build info are being written, and a file whose time
 * or size changed while it was read was rewritten meanwhile; either way the sources are read instead.
 */
function generatedDeclarations(file: string): string | undefined {
  const source = path.resolve(file);
  if (path.dirname(source) !== path.join(ROOT, 'imports') || !source.endsWith('.ts')) return undefined;
  const declarations = path.join(ROOT, 'lib', 'types', 'imports', `${path.basename(source, '.ts')}.d.ts`);
  try {
    const buildInfo = path.join(ROOT, 'lib', 'types', 'imports.tsbuildinfo');
    const complete = (d: fs.Stats) => d.mtimeMs >= fs.statSync(source).mtimeMs && fs.statSync(buildInfo).mtimeMs >= d.mtimeMs;
    const before = fs.statSync(declarations);
    if (!complete(before)) return undefined;
    const text = fs.readFileSync(declarations, 'utf8');
    // tsc rewrites in place: a rewrite that began meanwhile changed the file's time or size.
    const after = fs.statSync(declarations);
    return after.mtimeMs === before.mtimeMs && after.size === before.size && complete(after) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Reads src/index.ts (and what it reaches) with the compiler; `source` replaces its text when given. */
export function publicApi(source?: string): PublicApi {
  // No standard library, and packages other than the ones construct classes derive from
  // (constructs, cdk8s, cdk8s-plus-27) read as empty: the answers only need src/'s exports and
  // those classes, and the rest only cost parsing (0.4 s of 1.3). An export declared in such a
  // package would have no declaration here, and be reported as undocumented rather than missed.
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, noLib: true, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => {
    if (source !== undefined && path.resolve(file) === INDEX) return ts.createSourceFile(file, source, lang);
    if (UNREAD_PACKAGE.test(path.resolve(file))) return ts.createSourceFile(file, '', lang);
    // Every call parses the same files (src/, the generated imports/, the packages' declarations):
    // parse each once per test file.
    let parsed = parsedFiles.get(file);
    if (!parsed) {
      // Only src/'s comments are read (hasDoc): the others are parsed without their JSDoc.
      const parseOptions = path.resolve(file).startsWith(SRC) ? lang : { ...(typeof lang === 'object' ? lang : { languageVersion: lang }), jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
      const declarations = generatedDeclarations(file);
      parsed = declarations === undefined ? getSourceFile(file, parseOptions, ...rest) : ts.createSourceFile(file, declarations, parseOptions);
      if (parsed) parsedFiles.set(file, parsed);
    }
    return parsed;
  };
  const program = ts.createProgram([INDEX], options, host);
  const checker = program.getTypeChecker();
  const root = path.join(__dirname, '..', '..');
  const where = (d: ts.Declaration) => {
    const sf = d.getSourceFile();
    return `${path.relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
  };
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  const exports = checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = symbol.declarations ?? [];
    const documented = declarations.some((d) => hasDoc(d));
    return { name: exported.name, where: declarations[0] ? where(declarations[0]) : '?', documented };
  });

  const constructs: ConstructClass[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!path.resolve(sf.fileName).startsWith(path.join(root, 'src') + path.sep)) continue;
    ts.forEachChild(sf, (node) => {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const type = checker.getTypeAtLocation(node) as ts.InterfaceType;
      if (!extendsConstruct(checker, type)) return;
      const ctor = node.members.find(ts.isConstructorDeclaration);
      const propsParam = ctor?.parameters[2];
      const propsType = propsParam?.type && ts.isTypeReferenceNode(propsParam.type) ? propsParam.type.typeName.getText(sf) : undefined;
      constructs.push({ name: node.name.text, where: where(node), propsType });
    });
  }
  return { exports, constructs };
}

/** A TSDoc comment: a JSDoc block on the declaration (or its variable statement). */
function hasDoc(d: ts.Declaration): boolean {
  const node: ts.Node = ts.isVariableDeclaration(d) ? d.parent.parent : d;
  return ts.getJSDocCommentsAndTags(node).some((j) => ts.isJSDoc(j) && (j.comment !== undefined || (j.tags?.length ?? 0) > 0))
    || ts.getJSDocCommentsAndTags(d).some((j) => ts.isJSDoc(j));
}

function extendsConstruct(checker: ts.TypeChecker, type: ts.InterfaceType): boolean {
  for (const base of checker.getBaseTypes(type)) {
    if (base.symbol?.name === 'Construct') return true;
    if (extendsConstruct(checker, base as ts.InterfaceType)) return true;
  }
  return false;
}
