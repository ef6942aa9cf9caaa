// Mutable table tree used while parsing, and TOML's table-definition rules:
// duplicate keys, redefined tables, closed inline tables, static arrays vs
// arrays of tables, dotted keys vs [headers]. `freeze()` turns it into values.

/// A table under construction. Reference type so headers can reopen nested tables cheaply.
final class MTable {
    enum Origin {
        case root
        case implicit   // created as an intermediate part of a [header]
        case header     // defined by [header] or as an element of [[header]]
        case dotted     // created by a dotted key
        case inline     // an inline table being parsed (closed once parsed)
    }

    var origin: Origin
    var position: SourcePosition
    var keyPosition: SourcePosition?
    let depth: Int
    var keys: [String] = []
    var entries: [String: MEntry] = [:]

    init(origin: Origin, position: SourcePosition, keyPosition: SourcePosition?, depth: Int) {
        self.origin = origin
        self.position = position
        self.keyPosition = keyPosition
        self.depth = depth
    }

    /// Tears the subtree down iteratively: a deep tree would otherwise be freed by
    /// recursive deinits, which can overflow a small (debug-build, secondary-thread) stack.
    deinit {
        guard !entries.isEmpty else { return }
        var pending: [MTable] = []
        MTable.takeChildren(of: self, into: &pending)
        while let table = pending.popLast() {
            MTable.takeChildren(of: table, into: &pending)
        }
    }

    private static func takeChildren(of table: MTable, into pending: inout [MTable]) {
        for entry in table.entries.values {
            if case .table(let child) = entry.kind { pending.append(child) }
            pending.append(contentsOf: entry.tables)
        }
        table.entries.removeAll()
    }

    func add(_ entry: MEntry, key: String) {
        keys.append(key)
        entries[key] = entry
    }

    func insertValue(_ node: TOMLNode, key: String, keyPosition: SourcePosition) {
        var node = node
        node.keyPosition = keyPosition
        add(MEntry(kind: .value(node), keyPosition: keyPosition), key: key)
    }

    /// Converts this tree into values. Iterative (an explicit stack instead of
    /// recursion), so deep tables need no call stack even in debug builds.
    func freeze() -> TOMLTable {
        struct Frame {
            let table: MTable
            var result: TOMLTable
            var next = 0                      // index into table.keys
            var elements: [TOMLNode] = []     // finished elements of an array of tables
        }
        var stack = [Frame(table: self, result: TOMLTable(position: position))]
        var done: TOMLTable? = nil
        while true {
            let top = stack.count - 1
            if let child = done {
                done = nil
                if top < 0 { return child }
                let key = stack[top].table.keys[stack[top].next]
                guard let entry = stack[top].table.entries[key] else { continue }
                switch entry.kind {
                case .table(let t):
                    stack[top].result.set(TOMLNode(value: .table(child), position: t.position, keyPosition: entry.keyPosition), for: key)
                    stack[top].next += 1
                case .arrayOfTables:
                    let element = entry.tables[stack[top].elements.count]
                    stack[top].elements.append(TOMLNode(value: .table(child), position: element.position, keyPosition: element.keyPosition))
                case .value:
                    break
                }
                continue
            }
            let table = stack[top].table
            if stack[top].next >= table.keys.count {
                done = stack.removeLast().result
                continue
            }
            let key = table.keys[stack[top].next]
            guard let entry = table.entries[key] else {
                stack[top].next += 1
                continue
            }
            switch entry.kind {
            case .value(let node):
                stack[top].result.set(node, for: key)
                stack[top].next += 1
            case .table(let t):
                stack.append(Frame(table: t, result: TOMLTable(position: t.position)))
            case .arrayOfTables:
                let count = stack[top].elements.count
                if count < entry.tables.count {
                    let element = entry.tables[count]
                    stack.append(Frame(table: element, result: TOMLTable(position: element.position)))
                } else {
                    let node = TOMLNode(value: .array(stack[top].elements), position: entry.tables.first?.position ?? entry.keyPosition,
                                        keyPosition: entry.keyPosition)
                    stack[top].elements = []
                    stack[top].result.set(node, for: key)
                    stack[top].next += 1
                }
            }
        }
    }
}

/// One key of an `MTable`.
final class MEntry {
    enum Kind {
        case value(TOMLNode)     // scalars, static arrays, inline tables
        case table(MTable)
        case arrayOfTables       // elements in `tables`
    }

    var kind: Kind
    var keyPosition: SourcePosition
    var tables: [MTable] = []

    init(kind: Kind, keyPosition: SourcePosition) {
        self.kind = kind
        self.keyPosition = keyPosition
    }

    /// Where this entry was first defined, for "first defined at" messages.
    var definedAt: SourcePosition {
        switch kind {
        case .value: return keyPosition
        case .table(let t): return t.position
        case .arrayOfTables: return tables.first?.position ?? keyPosition
        }
    }

}

extension Parser {
    static func article(_ value: TOMLValue) -> String {
        switch value {
        case .integer, .array: return "an \(value.typeName)"
        default: return "a \(value.typeName)"
        }
    }

    func tooDeep(at index: Int) -> TOMLError {
        error("nesting is too deep (more than \(TOML.maxNestingDepth) levels of tables, arrays and inline tables)", at: index)
    }

    /// For `a.b.c = value` in `table`: walks/creates the tables `a` and `a.b` and
    /// returns the one that will receive `c`, after checking `c` is not yet defined.
    func resolveDottedKey(in table: MTable, key: [KeySegment]) throws(TOMLError) -> MTable {
        var current = table
        for (n, segment) in key.enumerated() {
            var soFar: String { Parser.display(key[...n]) }
            let isLast = n == key.count - 1
            guard let entry = current.entries[segment.name] else {
                if isLast { return current }
                if current.depth + 1 > TOML.maxNestingDepth { throw tooDeep(at: segment.index) }
                let pos = position(segment.index)
                let child = MTable(origin: .dotted, position: pos, keyPosition: pos, depth: current.depth + 1)
                current.add(MEntry(kind: .table(child), keyPosition: pos), key: segment.name)
                current = child
                continue
            }
            if isLast {
                throw error("duplicate key '\(soFar)' (first defined at \(entry.definedAt))", at: segment.index)
            }
            switch entry.kind {
            case .table(let child) where child.origin == .dotted:
                current = child
            case .table(let child) where child.origin == .implicit:
                // Only mentioned as part of a longer [header] so far: the dotted key defines it.
                let pos = position(segment.index)
                child.origin = .dotted
                child.position = pos
                child.keyPosition = pos
                entry.keyPosition = pos
                current = child
            case .table(let child):
                throw error("cannot add '\(Parser.display(key))' with a dotted key: table '\(soFar)' is already defined by a [table] header (at \(child.position)); put the key under that header instead", at: segment.index)
            case .arrayOfTables:
                throw error("cannot add '\(Parser.display(key))' with a dotted key: '\(soFar)' is an array of tables (defined at \(entry.definedAt))", at: segment.index)
            case .value(let node):
                if case .table = node.value {
                    throw error("cannot add '\(Parser.display(key))': '\(soFar)' is an inline table (defined at \(entry.definedAt)), and inline tables cannot be extended", at: segment.index)
                }
                throw error("cannot use '\(soFar)' as a table: it is already \(Parser.article(node.value)) (defined at \(entry.definedAt))", at: segment.index)
            }
        }
        return current
    }

    /// Walks the parent part of a header path (`a.b` of `[a.b.c]`), creating implicit tables.
    func walkHeaderParents(root: MTable, path: [KeySegment], header: String, headerIndex: Int) throws(TOMLError) -> MTable {
        var current = root
        for (n, segment) in path.dropLast().enumerated() {
            var soFar: String { Parser.display(path[...n]) }
            guard let entry = current.entries[segment.name] else {
                if current.depth + 1 > TOML.maxNestingDepth { throw tooDeep(at: segment.index) }
                let pos = position(segment.index)
                let child = MTable(origin: .implicit, position: pos, keyPosition: pos, depth: current.depth + 1)
                current.add(MEntry(kind: .table(child), keyPosition: pos), key: segment.name)
                current = child
                continue
            }
            switch entry.kind {
            case .table(let child):
                current = child
            case .arrayOfTables:
                guard let last = entry.tables.last else { throw error("internal error: empty array of tables", at: headerIndex) }
                current = last
            case .value(let node):
                if case .table = node.value {
                    throw error("cannot define table \(header): '\(soFar)' is an inline table (defined at \(entry.definedAt)), and inline tables cannot be extended", at: headerIndex)
                }
                throw error("cannot define table \(header): '\(soFar)' is already \(Parser.article(node.value)) (defined at \(entry.definedAt))", at: headerIndex)
            }
        }
        return current
    }

    /// `[a.b.c]`: returns the table that following key/value pairs go into.
    func openTable(root: MTable, path: [KeySegment], headerIndex: Int) throws(TOMLError) -> MTable {
        let name = Parser.display(path)
        let header = "[\(name)]"
        let parent = try walkHeaderParents(root: root, path: path, header: header, headerIndex: headerIndex)
        guard let last = path.last else { return parent }
        let headerPos = position(headerIndex)
        let keyPos = position(last.index)
        guard let entry = parent.entries[last.name] else {
            if parent.depth + 1 > TOML.maxNestingDepth { throw tooDeep(at: last.index) }
            let table = MTable(origin: .header, position: headerPos, keyPosition: keyPos, depth: parent.depth + 1)
            parent.add(MEntry(kind: .table(table), keyPosition: keyPos), key: last.name)
            return table
        }
        switch entry.kind {
        case .table(let table):
            switch table.origin {
            case .implicit:
                table.origin = .header
                table.position = headerPos
                table.keyPosition = keyPos
                entry.keyPosition = keyPos
                return table
            case .dotted:
                throw error("duplicate table \(header): '\(name)' was already defined by dotted keys (at \(table.position))", at: headerIndex)
            default:
                throw error("duplicate table \(header) (first defined at \(table.position))", at: headerIndex)
            }
        case .arrayOfTables:
            throw error("cannot define table \(header): '\(name)' is an array of tables (defined at \(entry.definedAt)); use [[\(name)]] to add an element", at: headerIndex)
        case .value(let node):
            if case .table = node.value {
                throw error("cannot define table \(header): '\(name)' is already an inline table (defined at \(entry.definedAt)), and inline tables cannot be extended", at: headerIndex)
            }
            throw error("cannot define table \(header): '\(name)' is already \(Parser.article(node.value)) (defined at \(entry.definedAt))", at: headerIndex)
        }
    }

    /// `[[a.b.c]]`: appends a new table to the array of tables and returns it.
    func openArrayTable(root: MTable, path: [KeySegment], headerIndex: Int) throws(TOMLError) -> MTable {
        let name = Parser.display(path)
        let header = "[[\(name)]]"
        let parent = try walkHeaderParents(root: root, path: path, header: header, headerIndex: headerIndex)
        guard let last = path.last else { return parent }
        if parent.depth + 1 > TOML.maxNestingDepth { throw tooDeep(at: last.index) }
        let headerPos = position(headerIndex)
        let keyPos = position(last.index)
        let table = MTable(origin: .header, position: headerPos, keyPosition: keyPos, depth: parent.depth + 1)
        guard let entry = parent.entries[last.name] else {
            let entry = MEntry(kind: .arrayOfTables, keyPosition: keyPos)
            entry.tables.append(table)
            parent.add(entry, key: last.name)
            return table
        }
        switch entry.kind {
        case .arrayOfTables:
            entry.tables.append(table)
            return table
        case .table(let existing):
            throw error("cannot define array of tables \(header): '\(name)' is already a table (defined at \(existing.position))", at: headerIndex)
        case .value(let node):
            if case .array = node.value {
                throw error("cannot append to '\(name)' with \(header): it is a static array (defined at \(entry.definedAt)), and static arrays cannot be extended", at: headerIndex)
            }
            if case .table = node.value {
                throw error("cannot define array of tables \(header): '\(name)' is already an inline table (defined at \(entry.definedAt))", at: headerIndex)
            }
            throw error("cannot define array of tables \(header): '\(name)' is already \(Parser.article(node.value)) (defined at \(entry.definedAt))", at: headerIndex)
        }
    }
}
