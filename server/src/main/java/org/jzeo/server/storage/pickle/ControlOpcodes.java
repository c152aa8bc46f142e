package org.jzeo.server.storage.pickle;

import org.jzeo.objects.python.PickleOpcodes;

import static org.jzeo.objects.python.PickleOpcodes.DUP;
import static org.jzeo.objects.python.PickleOpcodes.FRAME;
import static org.jzeo.objects.python.PickleOpcodes.HIGHEST_PROTOCOL;
import static org.jzeo.objects.python.PickleOpcodes.MARK;
import static org.jzeo.objects.python.PickleOpcodes.POP;
import static org.jzeo.objects.python.PickleOpcodes.POP_MARK;
import static org.jzeo.objects.python.PickleOpcodes.PROTO;

/** The opcodes that only steer the machine (protocol, framing, marks, pop, dup): the same for both interpreters. */
final class ControlOpcodes {
    private ControlOpcodes() {
    }

    /** Executes {@code op} if it is a control opcode; returns false, doing nothing, otherwise. */
    static boolean execute(int op, PickleInput in, PickleStack stack) {
        switch (op) {
            case PROTO -> {
                int protocol = in.u8();
                if (protocol > HIGHEST_PROTOCOL) {
                    throw in.error("unsupported pickle protocol " + protocol);
                }
            }
            case FRAME -> in.frame();
            case MARK -> stack.mark();
            case POP -> stack.popValueOrMark(in);
            case POP_MARK -> stack.popToMark(in);
            case DUP -> stack.push(stack.peek(in));
            default -> {
                return false;
            }
        }
        return true;
    }
}
