// InstallTests — `make install` lays the game out as a desktop game (binary, resources, levels,
// .desktop entry, icons, AppStream metainfo), and the installed binary finds its resources
// relative to its prefix: run from another folder, without NETZERO_RESOURCES.
import Foundation
import Testing

@Suite("Installed like a desktop game")
struct InstallTests {
    @Test func anInstalledGameRunsFromAnotherFolderWithoutTheWorkingTree() throws {
        let binary = try #require(netzeroPath, "build netzero first (swift build --build-tests)")
        let prefix = try temporaryDirectory("install") + "/prefix with space"
        defer { try? FileManager.default.removeItem(atPath: (prefix as NSString).deletingLastPathComponent) }
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["make", "-s", "-C", repositoryRoot, "install-files", "PREFIX=\(prefix)", "BIN=\(binary)"]
        make.standardOutput = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        #expect(make.terminationStatus == 0)
        let id = "io.github.netzerocity.NetZeroCity"
        for file in ["bin/netzero", "share/netzero/Resources/catalog", "share/netzero/Levels/sandbox.toml",
                     "share/applications/\(id).desktop", "share/metainfo/\(id).metainfo.xml",
                     "share/icons/hicolor/256x256/apps/\(id).png", "share/icons/hicolor/scalable/apps/\(id).svg"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file)")
        }
        let desktop = try String(contentsOfFile: prefix + "/share/applications/\(id).desktop", encoding: .utf8)
        #expect(desktop.contains("Exec=netzero play") && desktop.contains("Icon=\(id)"))

        // From another folder, with no NETZERO_RESOURCES and no working tree in sight.
        var environment = ProcessInfo.processInfo.environment
        environment["NETZERO_RESOURCES"] = nil
        let elsewhere = try temporaryDirectory("elsewhere")
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix + "/bin/netzero")
        process.arguments = ["run", "sandbox", "--years", "1", "--out", elsewhere + "/run"]
        process.currentDirectoryURL = URL(fileURLWithPath: elsewhere)
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errorText)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/run/yearly.csv"), "\(folderListing(elsewhere + "/run"))")

        // The metainfo passes AppStream's validator where it is installed (Debian: appstream).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/appstreamcli") {
            let validate = Process()
            validate.executableURL = URL(fileURLWithPath: "/usr/bin/appstreamcli")
            validate.arguments = ["validate", "--no-net", prefix + "/share/metainfo/\(id).metainfo.xml"]
            validate.standardOutput = FileHandle.nullDevice
            validate.standardError = FileHandle.nullDevice
            try validate.run()
            validate.waitUntilExit()
            #expect(validate.terminationStatus == 0)
        }
    }
}

func folderListing(_ path: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
