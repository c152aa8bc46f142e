package org.jzeo.server.storage.pickle;

import static org.jzeo.server.storage.pickle.Opcodes.DUP;
import static org.jzeo.server.storage.pickle.Opcodes.FRAME;
import static org.jzeo.server.storage.pickle.Opcodes.HIGHEST_PROTOCOL;
import static org.jzeo.server.storage.pickle.Opcodes.MARK;
import static org.jzeo.server.storage.pickle.Opcodes.POP;
import static org.jzeo.server.storage.pickle.Opcodes.POP_MARK;
import static org.jzeo.server.storage.pickle.Opcodes.PROTO;

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
