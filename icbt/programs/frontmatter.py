"""Front matter: split a file into YAML and Markdown, and read the YAML with line numbers.

PyYAML's composer keeps where every node starts, so each value the checker
complains about can be reported at the line of its key. Scalars keep their
source text as well: a title such as `No` or `1.10` stays exactly as written
instead of becoming False or 1.1 (YAML 1.1's surprises).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_NODES = 5000  # a front matter is small; this stops alias bombs


@dataclass
class YNode:
    """A YAML node: a mapping, a sequence or a scalar, with its 1-based file line."""

    kind: str  # "map", "seq" or "scalar"
    line: int
    raw: str = ""  # scalars: the text as written
    value: Any = None  # scalars: the YAML-typed value (int, bool, str, None, ...)
    items: list[YNode] = field(default_factory=list)  # sequences
    keys: dict[str, YNode] = field(default_factory=dict)  # mappings: value nodes by key
    key_lines: dict[str, int] = field(default_factory=dict)  # mappings: line of each key
    plain: bool = True  # scalars: written without quotes

    def get(self, key: str) -> YNode | None:
        """The value node of a mapping key, or None."""
        return self.keys.get(key) if self.kind == "map" else None

    def line_of(self, key: str) -> int:
        """The line of a mapping key (the mapping's own line if the key is missing)."""
        return self.key_lines.get(key, self.line)

    def to_python(self) -> Any:
        """The node as plain Python data (mappings, lists, typed scalars)."""
        if self.kind == "map":
            return {k: v.to_python() for k, v in self.keys.items()}
        if self.kind == "seq":
            return [v.to_python() for v in self.items]
        return self.value


class YamlProblem(Exception):
    """A YAML document that cannot be read, with the file line it fails at."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class FrontMatter:
    """A file split into its YAML (parsed) and its Markdown body."""

    data: YNode
    body: str
    body_line: int  # file line of the first body line


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (yaml text, body, body's first line); raise YamlProblem when the fences are wrong."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise YamlProblem(1, "the file must start with front matter: a line with --- , "
                             "the settings, then another line with ---")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise YamlProblem(1, "the front matter is not closed: add a line with --- after the settings")


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}


def _convert(node: yaml.Node, offset: int, constructor: yaml.SafeLoader,
             problems: list[YamlProblem], budget: list[int], depth: int = 0) -> YNode:
    """Turn a composed PyYAML node into a YNode, noting duplicate keys and odd tags."""
    budget[0] -= 1
    line = node.start_mark.line + offset
    if budget[0] < 0 or depth > 20:
        raise YamlProblem(line, "the front matter is too large or too deeply nested")
    if isinstance(node, yaml.MappingNode):
        out = YNode("map", line)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem(key_node.start_mark.line + offset,
                                            "a setting name must be plain text"))
                continue
            key = key_node.value
            key_line = key_node.start_mark.line + offset
            if key in out.keys:
                problems.append(YamlProblem(key_line, f'"{key}" is set twice (first on line '
                                                      f"{out.key_lines[key]})"))
                continue
            out.key_lines[key] = key_line
            out.keys[key] = _convert(value_node, offset, constructor, problems, budget, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return YNode("seq", line, items=[_convert(v, offset, constructor, problems, budget,
                                                  depth + 1) for v in node.value])
    assert isinstance(node, yaml.ScalarNode)
    if node.tag not in _SCALAR_TAGS:
        problems.append(YamlProblem(line, f"unsupported YAML tag {node.tag!r}"))
        return YNode("scalar", line, raw=node.value, value=node.value, plain=not node.style)
    try:
        value = constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:  # e.g. an impossible date
        problems.append(YamlProblem(line, f"cannot read this value: {exc}".split("\n")[0]))
        value = node.value
    return YNode("scalar", line, raw=node.value, value=value, plain=not node.style)


def parse_yaml(text: str, first_line: int) -> tuple[YNode, list[YamlProblem]]:
    """Parse YAML whose first line is file line `first_line`; raise YamlProblem on bad syntax."""
    offset = first_line
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + offset) if mark is not None else first_line
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark is not None and mark is not None \
                and exc.context_mark.line != mark.line:
            reason += f" ({exc.context} that starts on line {exc.context_mark.line + offset})"
        raise YamlProblem(line, f"YAML syntax error: {reason}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"YAML syntax error: {exc}".split("\n")[0]) from None
    if node is None:
        return YNode("map", first_line), []
    problems: list[YamlProblem] = []
    constructor = yaml.SafeLoader("")
    result = _convert(node, offset, constructor, problems, [MAX_NODES])
    if result.kind != "map":
        raise YamlProblem(first_line, "the front matter must be a list of `key: value` settings")
    return result, problems


def read_front_matter(text: str) -> tuple[FrontMatter, list[YamlProblem]]:
    """Split and parse a content file; raise YamlProblem when it cannot be read at all."""
    yaml_text, body, body_line = split_front_matter(text)
    data, problems = parse_yaml(yaml_text, 2)
    return FrontMatter(data=data, body=body, body_line=body_line), problems
