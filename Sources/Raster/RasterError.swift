// RasterError: how finding a font, opening it or writing a picture can fail, with a readable message.

import Foundation

public enum RasterError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// No installed font covers Chinese; `searched` lists what was looked at.
    case fontNotFound(searched: [String])
    /// A font file exists but SDL_ttf could not open it.
    case fontLoad(path: String, message: String)
    /// Writing a file (screenshot, chart) failed.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .fontNotFound(let searched):
            return "no font with Chinese glyphs (U+78B3 碳) found; looked at: "
                + searched.joined(separator: ", ")
                + " — install fonts-wqy-microhei (Tools/setup) or set NETZERO_FONT"
        case .fontLoad(let path, let message):
            return "cannot open font \(path): \(message)"
        case .io(let path, let message):
            return "cannot write \(path): \(message)"
        }
    }

    public var errorDescription: String? { description }
}
