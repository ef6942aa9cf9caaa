// Texture: an RGBA8 `Image` uploaded as an OpenGL texture, for `Canvas2D.drawImage` (pictures
// made on the CPU, such as charts, shown in the 2D overlay). Create and update it while a window's
// context is current; it is deleted with the object.

import CGL
import CSDL2
import Raster

public final class Texture {
    public private(set) var width: Int
    public private(set) var height: Int
    let id: GLuint

    /// Uploads `image` (rows top-down) with linear filtering and clamped edges.
    public init(_ image: Image) {
        var t: GLuint = 0
        glGenTextures(1, &t)
        id = t
        width = image.width
        height = image.height
        glBindTexture(E(GL_TEXTURE_2D), id)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_MIN_FILTER), GL_LINEAR)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_MAG_FILTER), GL_LINEAR)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_WRAP_S), GL_CLAMP_TO_EDGE)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_WRAP_T), GL_CLAMP_TO_EDGE)
        update(image)
    }

    /// Replaces the texture's pixels (and size) with `image`.
    public func update(_ image: Image) {
        width = image.width
        height = image.height
        glBindTexture(E(GL_TEXTURE_2D), id)
        glPixelStorei(E(GL_UNPACK_ALIGNMENT), 1)
        glPixelStorei(E(GL_UNPACK_ROW_LENGTH), 0)
        image.pixels.withUnsafeBytes {
            glTexImage2D(E(GL_TEXTURE_2D), 0, GL_RGBA8, GLsizei(image.width), GLsizei(image.height), 0,
                         E(GL_RGBA), E(GL_UNSIGNED_BYTE), $0.baseAddress)
        }
    }

    deinit {
        var t = id
        glDeleteTextures(1, &t)
    }
}
