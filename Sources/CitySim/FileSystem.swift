// FileSystem.swift — the few file operations the model needs: reading catalog and level files,
// finding the game's Resources folder, and writing outputs atomically.
//
// Atomic write: the bytes go to a temporary file in the same folder, which is fsync'ed and then
// renamed over the target, so a crash mid-write never leaves a half-written file or loses the
// previous one.
import Foundation

public enum FileSystem {
    public static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    public static func list(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    public static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// The bytes of a regular file of at most `limit` bytes, or why not. A FIFO, a device such
    /// as /dev/zero or a folder is refused before it is opened, so reading never blocks or
    /// runs without end (a symbolic link is followed to what it names).
    public static func readRegularFile(_ path: String, limit: Int) -> Result<[UInt8], ReadError> {
        var status = stat()
        guard stat(path, &status) == 0 else { return .failure(ReadError(reason: String(cString: strerror(errno)))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            return .failure(ReadError(reason: (status.st_mode & S_IFMT) == S_IFDIR ? "it is a folder, not a file" : "it is not a regular file"))
        }
        guard Int(status.st_size) <= limit else {
            return .failure(ReadError(reason: "the file is \(status.st_size) bytes; at most \(limit) are read"))
        }
        guard let bytes = read(path) else { return .failure(ReadError(reason: "cannot read the file")) }
        guard bytes.count <= limit else { return .failure(ReadError(reason: "the file grew past \(limit) bytes while read")) }
        return .success(bytes)
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Writes `bytes` to `path` through a temporary file, fsync and rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw WriteError(path: path, reason: reason)
            }
            offset += written
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            unlink(temporary)
            throw WriteError(path: path, reason: "fsync failed")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    public static func writeAtomically(_ text: String, to path: String) throws(WriteError) {
        try writeAtomically(Array(text.utf8), to: path)
    }
}

/// The XDG base directories (https://specifications.freedesktop.org/basedir-spec/) where the
/// game keeps the player's files. The caller passes the environment: the model reads none itself.
///
///   $XDG_CONFIG_HOME/netzero   settings            (default ~/.config/netzero)
///   $XDG_DATA_HOME/netzero     autosaves/, levels/ (the player's own levels), mods/
///                                                  (default ~/.local/share/netzero)
public enum UserDirectories {
    /// `$XDG_CONFIG_HOME/netzero`, or `~/.config/netzero`.
    public static func config(environment: [String: String]) -> String {
        base("XDG_CONFIG_HOME", fallback: ".config", environment: environment) + "/netzero"
    }

    /// `$XDG_DATA_HOME/netzero`, or `~/.local/share/netzero`.
    public static func data(environment: [String: String]) -> String {
        base("XDG_DATA_HOME", fallback: ".local/share", environment: environment) + "/netzero"
    }

    /// The player's installed mods, one folder each.
    public static func mods(environment: [String: String]) -> String { data(environment: environment) + "/mods" }

    /// The player's own level files.
    public static func levels(environment: [String: String]) -> String { data(environment: environment) + "/levels" }

    /// An XDG base directory: the variable when it holds an absolute path (the specification says
    /// a relative one is to be ignored), else the fallback under $HOME.
    public static func base(_ variable: String, fallback: String, environment: [String: String]) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/" + fallback
    }
}

/// Finds the game's `Resources` folder: the one the executable names (`use(root:)`, from
/// `$NETZERO_RESOURCES` in `netzero`), else the nearest `Resources` or `share/netzero/Resources`
/// beside or above the executable (the working tree's, or an installed game's,
/// `PREFIX/bin/netzero` with `PREFIX/share/netzero/Resources`), else `./Resources`. The model
/// reads no environment variable itself.
public enum ResourceLocator {
    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// The `Levels` folder beside `Resources`.
    public static var levelsDirectory: String {
        (root as NSString).deletingLastPathComponent + "/Levels"
    }

    /// Uses `root` as the Resources folder from now on (before any catalog or level is read).
    public static func use(root: String) { chosen.set(root) }

    public static var root: String { chosen.get() ?? found }

    private static let chosen = ChosenRoot()

    private static let found: String = {
        // The running executable itself (argv[0] is a bare name when it was found on the PATH).
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "."
        let executable = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<8 {
            for resources in ["Resources", "share/netzero/Resources"] {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(resources + "/catalog").path) {
                    return directory.appendingPathComponent(resources).path
                }
            }
            directory = directory.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/Resources"
    }()

    private final class ChosenRoot: @unchecked Sendable {
        private let lock = NSLock()
        private var root: String?
        func set(_ value: String) { lock.lock(); root = value; lock.unlock() }
        func get() -> String? { lock.lock(); defer { lock.unlock() }; return root }
    }
}
