package org.jzeo.objects;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a class or field had before it was renamed: records written under an old name keep loading. On a class,
 * fully qualified class names (or the stored names used before); on a field (or a record component), field names.
 * New records are always written under the current name.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface FormerNames {
    String[] value();
}
