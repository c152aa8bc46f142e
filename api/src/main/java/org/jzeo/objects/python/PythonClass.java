package org.jzeo.objects.python;

import java.util.Objects;

/**
 * A reference to a Python class or function by name, as a pickle's GLOBAL or STACK_GLOBAL opcode
 * names it, when it appears as a value (for example an attribute holding a class). The name is
 * kept as written in the pickle: nothing is imported or looked up.
 *
 * @param module the module, e.g. {@code "datetime"}
 * @param name the qualified name inside the module, e.g. {@code "datetime"}
 */
public record PythonClass(String module, String name) {
    public PythonClass {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
    }

    /** {@code module.name}, as Python prints a class's dotted name. */
    public String dottedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return dottedName();
    }
}
