/**
 * The public API as the TypeScript compiler sees it: every export of src/index.ts, whether its
 * declaration has a TSDoc comment, and the construct classes of src/ with their props types.
 */
import * as path from 'path';
import type * as TypeScript from 'typescript';
import { workerModule } from '../support/worker-module';

/** The compiler, once per jest worker (test/support/typescript.cjs). */
const ts = workerModule<typeof TypeScript>('typescript.cjs');

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
const parsedFiles = new Map<string, TypeScript.SourceFile>();

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src') + path.sep;
/**
 * What is read as empty: the generated imports/ (3.4 MB of TypeScript), and every package but the
 * two the constructs derive from (constructs, cdk8s). See `extendsConstruct` for a class whose base
 * is then unknown.
 */
const UNREAD_PACKAGE = /[\\/]node_modules[\\/](?!(?:cdk8s|constructs)[\\/])/;
const GENERATED = path.join(ROOT, 'imports') + path.sep;
const isUnread = (file: string) => UNREAD_PACKAGE.test(file) || file.startsWith(GENERATED);

/** Reads src/index.ts (and what it reaches) with the compiler; `source` replaces its text when given. */
export function publicApi(source?: string): PublicApi {
  // No standard library, the generated imports/ and the packages other than constructs and cdk8s
  // read as empty: the answers only need src/'s exports and its classes, and the rest only cost
  // parsing (2.2 of 2.9 MB of declarations). An export declared outside src/ would have no
  // declaration here, and be reported as undocumented rather than missed.
  const options: TypeScript.CompilerOptions = { target: ts.ScriptTarget.ES2022, noLib: true, module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => {
    if (source !== undefined && path.resolve(file) === INDEX) return ts.createSourceFile(file, source, lang);
    if (isUnread(path.resolve(file))) return ts.createSourceFile(file, '', lang);
    // Every call parses the same files (src/ and the declarations of constructs and cdk8s):
    // parse each once per test file.
    let parsed = parsedFiles.get(file);
    if (!parsed) {
      // Only src/'s comments are read (hasDoc): the others are parsed without their JSDoc.
      const parseOptions = path.resolve(file).startsWith(SRC) ? lang : { ...(typeof lang === 'object' ? lang : { languageVersion: lang }), jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
      parsed = getSourceFile(file, parseOptions, ...rest);
      if (parsed) parsedFiles.set(file, parsed);
    }
    return parsed;
  };
  const program = ts.createProgram([INDEX], options, host);
  const checker = program.getTypeChecker();
  const root = path.join(__dirname, '..', '..');
  const where = (d: TypeScript.Declaration) => {
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
      const type = checker.getTypeAtLocation(node) as TypeScript.InterfaceType;
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
function hasDoc(d: TypeScript.Declaration): boolean {
  const node: TypeScript.Node = ts.isVariableDeclaration(d) ? d.parent.parent : d;
  return ts.getJSDocCommentsAndTags(node).some((j) => ts.isJSDoc(j) && (j.comment !== undefined || (j.tags?.length ?? 0) > 0))
    || ts.getJSDocCommentsAndTags(d).some((j) => ts.isJSDoc(j));
}

/**
 * Whether a class derives from Construct, or may: a class with a base not read here (a generated
 * class of imports/, a class of cdk8s-plus-27, Error without the standard library), itself or
 * further up, counts as one, so that its props type is checked rather than skipped.
 */
function extendsConstruct(checker: TypeScript.TypeChecker, type: TypeScript.InterfaceType): boolean {
  const bases = checker.getBaseTypes(type);
  const declaresBase = (type.symbol?.declarations ?? []).some((d) => ts.isClassLike(d) && (d.heritageClauses ?? []).some((h) => h.token === ts.SyntaxKind.ExtendsKeyword));
  if (declaresBase && (bases.length === 0 || bases.some((b) => (b.flags & ts.TypeFlags.Any) !== 0))) return true;
  return bases.some((base) => base.symbol?.name === 'Construct' || extendsConstruct(checker, base as TypeScript.InterfaceType));
}
