package org.jzeo.objects.python;

/**
 * The opcodes of pickle protocols 0–5 (Python's {@code pickle} module), with names for messages: one table for the
 * object layer's reader and the server's reference scanner.
 */
public final class PickleOpcodes {
    public static final int MARK = '(';
    public static final int STOP = '.';
    public static final int POP = '0';
    public static final int POP_MARK = '1';
    public static final int DUP = '2';
    public static final int FLOAT = 'F';
    public static final int INT = 'I';
    public static final int BININT = 'J';
    public static final int BININT1 = 'K';
    public static final int LONG = 'L';
    public static final int BININT2 = 'M';
    public static final int NONE = 'N';
    public static final int PERSID = 'P';
    public static final int BINPERSID = 'Q';
    public static final int REDUCE = 'R';
    public static final int STRING = 'S';
    public static final int BINSTRING = 'T';
    public static final int SHORT_BINSTRING = 'U';
    public static final int UNICODE = 'V';
    public static final int BINUNICODE = 'X';
    public static final int APPEND = 'a';
    public static final int BUILD = 'b';
    public static final int GLOBAL = 'c';
    public static final int DICT = 'd';
    public static final int EMPTY_DICT = '}';
    public static final int APPENDS = 'e';
    public static final int GET = 'g';
    public static final int BINGET = 'h';
    public static final int INST = 'i';
    public static final int LONG_BINGET = 'j';
    public static final int LIST = 'l';
    public static final int EMPTY_LIST = ']';
    public static final int OBJ = 'o';
    public static final int PUT = 'p';
    public static final int BINPUT = 'q';
    public static final int LONG_BINPUT = 'r';
    public static final int SETITEM = 's';
    public static final int TUPLE = 't';
    public static final int EMPTY_TUPLE = ')';
    public static final int SETITEMS = 'u';
    public static final int BINFLOAT = 'G';
    public static final int PROTO = 0x80;
    public static final int NEWOBJ = 0x81;
    public static final int EXT1 = 0x82;
    public static final int EXT2 = 0x83;
    public static final int EXT4 = 0x84;
    public static final int TUPLE1 = 0x85;
    public static final int TUPLE2 = 0x86;
    public static final int TUPLE3 = 0x87;
    public static final int NEWTRUE = 0x88;
    public static final int NEWFALSE = 0x89;
    public static final int LONG1 = 0x8a;
    public static final int LONG4 = 0x8b;
    public static final int BINBYTES = 'B';
    public static final int SHORT_BINBYTES = 'C';
    public static final int SHORT_BINUNICODE = 0x8c;
    public static final int BINUNICODE8 = 0x8d;
    public static final int BINBYTES8 = 0x8e;
    public static final int EMPTY_SET = 0x8f;
    public static final int ADDITEMS = 0x90;
    public static final int FROZENSET = 0x91;
    public static final int NEWOBJ_EX = 0x92;
    public static final int STACK_GLOBAL = 0x93;
    public static final int MEMOIZE = 0x94;
    public static final int FRAME = 0x95;
    public static final int BYTEARRAY8 = 0x96;
    public static final int NEXT_BUFFER = 0x97;
    public static final int READONLY_BUFFER = 0x98;

    public static final int HIGHEST_PROTOCOL = 5;

    private static final String[] NAMES = new String[256];

    static {
        String table = "(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE"
                + " PPERSID QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE"
                + " aAPPEND bBUILD cGLOBAL dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET"
                + " lLIST ]EMPTY_LIST oOBJ pPUT qBINPUT rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE"
                + " uSETITEMS GBINFLOAT BBINBYTES CSHORT_BINBYTES";
        for (String entry : table.split(" ")) {
            NAMES[entry.charAt(0)] = entry.substring(1);
        }
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3",
            "NEWTRUE", "NEWFALSE", "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8",
            "EMPTY_SET", "ADDITEMS", "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME",
            "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) {
            NAMES[PROTO + i] = high[i];
        }
    }

    private PickleOpcodes() {}

    /** Whether Python's pickle defines {@code opcode} (in any protocol up to 5). */
    public static boolean isKnown(int opcode) {
        return NAMES[opcode & 0xFF] != null;
    }

    /** The opcode's name, e.g. {@code BINGET}. */
    public static String name(int opcode) {
        String name = NAMES[opcode & 0xFF];
        return name == null ? "unknown opcode" : name;
    }

    /** For messages: {@code 0x68 'h' BINGET}, or {@code 0xff (unknown opcode)}. */
    public static String describe(int opcode) {
        int op = opcode & 0xFF;
        String printable = op >= 0x21 && op < 0x7f ? " '" + (char) op + "'" : "";
        String name = NAMES[op];
        return String.format("0x%02x", op) + printable + " " + (name == null ? "(unknown opcode)" : name);
    }
}
