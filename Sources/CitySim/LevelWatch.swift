// LevelWatch.swift — the files a level was read from, and which of them changed on disk since,
// for the game's "Reload level" offer (hot reload): the level file, its `script_file`, and for a
// level inside a mod the mod's `mod.toml`, catalog overrides, locale strings and scripts.
//
// The game asks about once a second. A file is read again only when it was modified in the last
// seconds or its identity, size or modification time moved, and it counts as changed only when
// its bytes did: an editor that saves unchanged
// text, or touches the file, offers nothing. A file that is missing for a moment (an editor that
// saves by writing a new file and renaming it) is not reported until it is back.
import Checksum
import Foundation

public struct LevelWatch: Sendable {
    /// Seconds after its last modification during which a file is read at every look.
    static let settleSeconds: Int64 = 2

    struct Fingerprint: Sendable, Equatable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var checksum: UInt32
    }

    public let files: [String]
    private var prints: [Fingerprint?]

    public init(level: LevelDefinition) {
        self.init(files: LevelWatch.files(of: level))
    }

    public init(files: [String]) {
        self.files = files
        prints = files.map { LevelWatch.fingerprint($0, previous: nil) }
    }

    /// What a level was read from; nothing for a generated level (`reference`).
    public static func files(of level: LevelDefinition) -> [String] {
        guard level.file.hasSuffix(".toml"), FileSystem.exists(level.file) else { return [] }
        var files = [level.file]
        if let script = level.script?.file, script != level.file { files.append(script) }
        if let mod = ModLibrary.folder(owningLevel: level.file) {
            files.append(mod + "/mod.toml")
            for (folder, ending) in [("catalog", ".toml"), ("locale", ".toml"), ("scripts", ".lua")] {
                let names = FileSystem.list(mod + "/" + folder).filter { $0.hasSuffix(ending) && !$0.hasPrefix(".") }.sorted()
                files += names.prefix(ModPackage.maximumFilesPerFolder).map { mod + "/" + folder + "/" + $0 }
            }
        }
        var seen = Set<String>()
        return files.map { ($0 as NSString).standardizingPath }.filter { seen.insert($0).inserted }
    }

    /// The files whose bytes changed since the last call (or since the watch began); each change
    /// is reported once.
    public mutating func changedFiles() -> [String] {
        var changed: [String] = []
        for (index, file) in files.enumerated() {
            guard let now = LevelWatch.fingerprint(file, previous: prints[index]) else { continue }
            if let before = prints[index], before.checksum != now.checksum { changed.append(file) }
            prints[index] = now
        }
        return changed
    }

    /// The file's identity, size, modification time and checksum; the checksum is `previous`'s
    /// when the rest is unchanged and the modification is older than `settleSeconds` (the file is
    /// not read). Nil when it cannot be read.
    static func fingerprint(_ path: String, previous: Fingerprint?) -> Fingerprint? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int64(status.st_size)
        let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        // File times tick with the kernel's coarse clock (a few milliseconds), so two writes of the
        // same size in one tick look alike: a recent file is read whatever its times say.
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let settled = Int64(clock.tv_sec) - Int64(status.st_mtim.tv_sec) > LevelWatch.settleSeconds
        if let previous, settled, previous.inode == UInt64(status.st_ino), previous.size == size, previous.modified == modified {
            return previous
        }
        guard case .success(let bytes) = FileSystem.readRegularFile(path, limit: LevelFile.maximumBytes) else { return nil }
        return Fingerprint(inode: UInt64(status.st_ino), size: size, modified: modified, checksum: CRC32.checksum(bytes))
    }
}
