/* eslint-disable no-var */
// The Node.js version check that bin/check-node.cjs runs before every command: the running
// version against package.json "engines.node", and the one line to print when it falls short.
//
// Written in ES5 on purpose (var, function, no arrows, no template strings, no const/let),
// so that any old Node.js can parse it and print the message instead of a stack trace.
// Plain functions, tested by test/node-version.test.ts.
'use strict';

var DEFAULT_RANGE = '^20.19.0 || >=22.12.0';
var ADVICE = 'Install Node 24 LTS from nodejs.org.';

// "v18.20.4", "18.20.4", "24.0.0-rc.1", "20.19" -> [major, minor, patch]; null if unreadable.
function parseVersion(text) {
  var m = /^\s*[v=]?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(text));
  if (!m) return null;
  return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

// One comparator such as ">=20.19.0", "<25", "^20.19.0", "~22.12", "20.x", "*".
// Returns a list of [operator, [major, minor, patch]] pairs that must all hold.
function parseComparator(text) {
  var m = /^(>=|<=|>|<|=|\^|~)?\s*v?(\*|x|X|\d+)(?:\.(\*|x|X|\d+))?(?:\.(\*|x|X|\d+))?/.exec(text);
  if (!m) throw new Error('cannot read Node.js version range part "' + text + '"');
  var op = m[1] || '';
  var wild = function (p) { return p === undefined || p === '*' || p === 'x' || p === 'X'; };
  if (wild(m[2])) return []; // "*": anything
  var major = Number(m[2]);
  var minorWild = wild(m[3]);
  var patchWild = wild(m[4]);
  var minor = minorWild ? 0 : Number(m[3]);
  var patch = patchWild ? 0 : Number(m[4]);
  var low = [major, minor, patch];
  if (op === '^') {
    return [['>=', low], ['<', major > 0 || minorWild ? [major + 1, 0, 0] : [0, minor + 1, 0]]];
  }
  if (op === '~') {
    return [['>=', low], ['<', minorWild ? [major + 1, 0, 0] : [major, minor + 1, 0]]];
  }
  if (op === '' || op === '=') {
    if (minorWild) return [['>=', low], ['<', [major + 1, 0, 0]]];
    if (patchWild) return [['>=', low], ['<', [major, minor + 1, 0]]];
    return [['=', low]];
  }
  return [[op, low]];
}

function test(op, v, bound) {
  var c = compare(v, bound);
  if (op === '>=') return c >= 0;
  if (op === '>') return c > 0;
  if (op === '<=') return c <= 0;
  if (op === '<') return c < 0;
  return c === 0;
}

// satisfies("18.20.4", ">=20.19.0") -> false. Supports "||", space-separated comparators,
// ">= 20" (space after the operator), and "a - b" hyphen ranges.
function satisfies(version, range) {
  var v = parseVersion(version);
  if (!v) return false;
  var alternatives = String(range).split('||');
  for (var i = 0; i < alternatives.length; i++) {
    var alt = alternatives[i].replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').trim();
    var parts;
    var hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alt);
    if (hyphen) parts = ['>=' + hyphen[1], '<=' + hyphen[2]];
    else parts = alt === '' ? [] : alt.split(/\s+/);
    var ok = true;
    for (var j = 0; j < parts.length && ok; j++) {
      var comparators = parseComparator(parts[j]);
      for (var k = 0; k < comparators.length && ok; k++) {
        ok = test(comparators[k][0], v, comparators[k][1]);
      }
    }
    if (ok) return true;
  }
  return false;
}

function shortVersion(major, minor, patch) {
  var text = major + '.' + (minor || '0');
  if (patch && patch !== '0') text += '.' + patch;
  return text;
}

// ">=20.19.0" -> "20.19 or newer"; "^20.19.0 || >=22.12.0" -> "20.19+ or 22.12+";
// anything else is quoted as written.
function describeRange(range) {
  var text = String(range).trim();
  var m = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text);
  if (m) return shortVersion(m[1], m[2], m[3]) + ' or newer';
  var alternatives = text.split('||');
  var names = [];
  for (var i = 0; i < alternatives.length; i++) {
    var a = /^\s*(?:>=|\^)\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(alternatives[i]);
    if (!a) return 'a version matching "' + text + '"';
    names.push(shortVersion(a[1], a[2], a[3]) + '+');
  }
  return names.join(' or ');
}

// The one line printed on an unsupported version, or null when the version is fine.
function checkVersion(version, range) {
  range = range || DEFAULT_RANGE;
  var shown = String(version).replace(/^v/, '');
  if (satisfies(shown, range)) return null;
  return 'This lab needs Node.js ' + describeRange(range) + ' (you have ' + shown + '). ' + ADVICE;
}

// engines.node of a package.json, or the default when it cannot be read.
function readRange(packageJsonPath) {
  try {
    var fs = require('fs');
    var pkg = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8'));
    if (pkg && pkg.engines && typeof pkg.engines.node === 'string') return pkg.engines.node;
  } catch (e) {
    // fall through to the default
  }
  return DEFAULT_RANGE;
}

module.exports = {
  parseVersion: parseVersion,
  satisfies: satisfies,
  describeRange: describeRange,
  checkVersion: checkVersion,
  readRange: readRange,
  DEFAULT_RANGE: DEFAULT_RANGE
};
