package org.jzeo.e2e.xa;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/** XA codes by name, for readable test output and assertions. */
final class XaCodes {
    private XaCodes() {
    }

    /** {@code XA_OK}/{@code XA_RDONLY} for votes, {@code XAER_RMFAIL} and so on for XAException codes. */
    static String name(int code) {
        if (code == XAResource.XA_OK) {
            return "XA_OK";
        }
        for (Field f : XAException.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                try {
                    if (f.getInt(null) == code && !f.getName().equals("XA_RBBASE") && !f.getName().equals("XA_RBEND")) {
                        return f.getName();
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Integer.toString(code);
    }
}
