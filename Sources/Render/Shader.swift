// ShaderProgram: compiles and links a GLSL 330 core vertex + fragment pair; a compile or link
// failure throws RenderError with the driver's info log. Uniform locations are cached by name.
// The program keeps its Window alive so the context outlives the GL object.

import CGL
import CSDL2
import Foundation

public final class ShaderProgram {
    public let id: GLuint
    public let label: String
    private let window: Window
    private var locations: [String: GLint] = [:]

    /// Compiles both stages and links them. `label` names the program in error messages.
    public init(window: Window, vertex: String, fragment: String, label: String) throws {
        self.window = window
        self.label = label
        let vs = try ShaderProgram.compile(E(GL_VERTEX_SHADER), source: vertex, stage: "vertex", label: label)
        defer { glDeleteShader(vs) }
        let fs = try ShaderProgram.compile(E(GL_FRAGMENT_SHADER), source: fragment, stage: "fragment", label: label)
        defer { glDeleteShader(fs) }
        let program = glCreateProgram()
        glAttachShader(program, vs)
        glAttachShader(program, fs)
        glLinkProgram(program)
        var status: GLint = 0
        glGetProgramiv(program, E(GL_LINK_STATUS), &status)
        if status == GL_FALSE {
            var length: GLint = 0
            glGetProgramiv(program, E(GL_INFO_LOG_LENGTH), &length)
            var log = [GLchar](repeating: 0, count: Int(max(length, 1)) + 1)
            glGetProgramInfoLog(program, GLsizei(log.count), nil, &log)
            glDeleteProgram(program)
            throw RenderError.programLink(label: label, log: ShaderProgram.string(log))
        }
        glDetachShader(program, vs)
        glDetachShader(program, fs)
        id = program
    }

    deinit { glDeleteProgram(id) }

    private static func compile(_ type: GLenum, source: String, stage: String, label: String) throws -> GLuint {
        let shader = glCreateShader(type)
        source.withCString { cString in
            var pointer: UnsafePointer<GLchar>? = cString
            glShaderSource(shader, 1, &pointer, nil)
        }
        glCompileShader(shader)
        var status: GLint = 0
        glGetShaderiv(shader, E(GL_COMPILE_STATUS), &status)
        if status == GL_FALSE {
            var length: GLint = 0
            glGetShaderiv(shader, E(GL_INFO_LOG_LENGTH), &length)
            var log = [GLchar](repeating: 0, count: Int(max(length, 1)) + 1)
            glGetShaderInfoLog(shader, GLsizei(log.count), nil, &log)
            glDeleteShader(shader)
            throw RenderError.shaderCompile(stage: stage, label: label, log: string(log))
        }
        return shader
    }

    private static func string(_ log: [GLchar]) -> String {
        let bytes = log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Uniforms

    public func use() { glUseProgram(id) }

    /// The uniform's location (-1 when the linker removed or never had it), cached.
    public func location(_ name: String) -> GLint {
        if let l = locations[name] { return l }
        let l = glGetUniformLocation(id, name)
        locations[name] = l
        return l
    }

    // The setters assume the program is in use (`use()`).
    public func set(_ name: String, _ v: Float) { glUniform1f(location(name), v) }
    public func set(_ name: String, _ v: Int32) { glUniform1i(location(name), v) }
    public func set(_ name: String, _ v: Vec3) { glUniform3f(location(name), v.x, v.y, v.z) }
    public func set(_ name: String, _ v: Vec4) { glUniform4f(location(name), v.x, v.y, v.z, v.w) }
    public func set(_ name: String, _ v: Mat4) {
        let l = location(name)
        v.withUnsafeFloats { glUniformMatrix4fv(l, 1, GLboolean(GL_FALSE), $0) }
    }
}
