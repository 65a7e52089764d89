/**
 * The YAML language worker (monaco-yaml: yaml-language-server in a web worker): completion,
 * hover and validation against the manifest schemas, off the page's thread.
 *
 * Design notes: a module of our own that imports monaco-yaml's worker, so Vite bundles it as a
 * `?worker` entry with its dependencies (monaco-yaml's README, "Why doesn't it work with Vite?");
 * yaml-editor.ts starts it when Monaco asks for the `yaml` worker. Nothing is fetched from
 * another site: the schemas are given to it as data.
 */
import 'monaco-yaml/yaml.worker.js';
