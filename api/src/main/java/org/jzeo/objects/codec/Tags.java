package org.jzeo.objects.codec;

/**
 * The first element of every msgpack array in a state: what the array holds. Values with a natural msgpack form
 * (nil, booleans, Long as int, Double as float64, Float as float32, String, byte[] as bin) are written bare; every
 * other value is an array {@code [tag, ...]}, so a reader never guesses a type. The numbers are part of the stored
 * format: never renumber, only add.
 */
final class Tags {
    static final int INTEGER = 1;
    static final int SHORT = 2;
    static final int BYTE = 3;
    static final int CHARACTER = 4;
    static final int BIG_INTEGER = 5;
    static final int BIG_DECIMAL = 6;

    static final int LIST = 10;
    static final int SET = 11;
    static final int MAP = 12;
    static final int SORTED_SET = 13;
    static final int SORTED_MAP = 14;
    static final int OBJECT_ARRAY = 15;
    static final int INT_ARRAY = 16;
    static final int LONG_ARRAY = 17;
    static final int DOUBLE_ARRAY = 18;
    static final int BOOLEAN_ARRAY = 19;

    static final int ENUM = 20;
    static final int VALUE_OBJECT = 21;
    static final int RECORD = 22;

    static final int REFERENCE = 30;
    static final int LAZY_REFERENCE = 31;

    static final int INSTANT = 40;
    static final int LOCAL_DATE = 41;
    static final int LOCAL_DATE_TIME = 42;
    static final int LOCAL_TIME = 43;
    static final int ZONED_DATE_TIME = 44;
    static final int OFFSET_DATE_TIME = 45;
    static final int DURATION = 46;
    static final int PERIOD = 47;
    static final int UUID = 48;
    static final int DATE = 49;
    static final int YEAR_MONTH = 50;

    private Tags() {
    }
}
