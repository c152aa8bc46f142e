package org.jzeo.objects;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A map stored as one record (ZODB's {@code PersistentMapping}), in insertion order. Every change made through the
 * map is stored at commit; a value that is itself a persistent object is held by reference and loaded when it is
 * read. Keys are values (strings, numbers, records...), not persistent objects. For large maps, or maps that many
 * transactions change at once, use {@link PersistentSortedMap}: this one is rewritten whole at each change.
 *
 * <p>Changes made inside a mutable value held by the map (a plain list stored as a value and changed in place)
 * are not seen: put the value again, or make it persistent.
 */
public class PersistentMap<K, V> extends Persistent implements Map<K, V> {
    private LinkedHashMap<Object, Object> entries = new LinkedHashMap<>();

    public PersistentMap() {
    }

    public PersistentMap(Map<? extends K, ? extends V> initial) {
        putAll(initial);
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return values().contains(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return (V) Containers.release(entries.get(key));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        Containers.requireValue(Objects.requireNonNull(key, "key"), "keys");
        markChanged();
        return (V) Containers.release(entries.put(key, Containers.hold(value)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        if (!entries.containsKey(key)) {
            return null;
        }
        markChanged();
        return (V) Containers.release(entries.remove(key));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        m.forEach(this::put);
    }

    @Override
    public void clear() {
        if (!entries.isEmpty()) {
            markChanged();
            entries.clear();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Set<K> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<K> iterator() {
                Iterator<Map.Entry<K, V>> it = entrySet().iterator();
                return new Iterator<>() {
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    public K next() {
                        return it.next().getKey();
                    }

                    public void remove() {
                        it.remove();
                    }
                };
            }

            @Override
            public int size() {
                return entries.size();
            }

            @Override
            public boolean contains(Object o) {
                return entries.containsKey(o);
            }
        };
    }

    @Override
    public Collection<V> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<V> iterator() {
                Iterator<Map.Entry<K, V>> it = entrySet().iterator();
                return new Iterator<>() {
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    public V next() {
                        return it.next().getValue();
                    }

                    public void remove() {
                        it.remove();
                    }
                };
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                Iterator<Map.Entry<Object, Object>> it = entries.entrySet().iterator();
                return new Iterator<>() {
                    /** The position of the next entry, for prefetching the values after an entry. */
                    private int position;
                    /** A second iterator over the values, at {@link #aheadPosition}: read only to prefetch. */
                    private Iterator<Object> ahead;
                    private int aheadPosition;

                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    /**
                     * On a cache miss for the value at {@code at}, prefetches the values after it, walking the
                     * second iterator forward (a walk in order costs one pass in all).
                     */
                    private void prefetchAfter(Object held, int at) {
                        if (!(held instanceof Lazy<?> lazy)) {
                            return;
                        }
                        ObjectSession session = Containers.missing(lazy);
                        if (session == null) {
                            return;
                        }
                        try {
                            if (ahead == null || aheadPosition > at + 1) {
                                ahead = entries.values().iterator();
                                aheadPosition = 0;
                            }
                            while (aheadPosition < at + 1 && ahead.hasNext()) {
                                ahead.next();
                                aheadPosition++;
                            }
                            aheadPosition += Containers.prefetchWindow(session, lazy.oid(), ahead);
                        } catch (ConcurrentModificationException changed) {
                            ahead = null; // the map changed: no prefetch, the read goes on as without
                        }
                    }

                    @SuppressWarnings("unchecked")
                    public Map.Entry<K, V> next() {
                        Map.Entry<Object, Object> e = it.next();
                        int at = position++;
                        return new Map.Entry<>() {
                            public K getKey() {
                                return (K) e.getKey();
                            }

                            public V getValue() {
                                Object held = e.getValue();
                                prefetchAfter(held, at);
                                return (V) Containers.release(held);
                            }

                            public V setValue(V value) {
                                markChanged();
                                return (V) Containers.release(e.setValue(Containers.hold(value)));
                            }

                            @Override
                            public boolean equals(Object o) {
                                return o instanceof Map.Entry<?, ?> other && Objects.equals(getKey(), other.getKey())
                                        && Objects.equals(getValue(), other.getValue());
                            }

                            @Override
                            public int hashCode() {
                                return Objects.hashCode(getKey()) ^ Objects.hashCode(getValue());
                            }
                        };
                    }

                    public void remove() {
                        markChanged();
                        it.remove();
                        position--;
                        ahead = null;
                    }
                };
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other) || other.size() != size()) {
            return false;
        }
        for (Map.Entry<K, V> e : entrySet()) {
            if (!Objects.equals(e.getValue(), other.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<K, V> e : entrySet()) {
            h += e.hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        return "PersistentMap" + entries;
    }

    @Override
    boolean tracksOwnChanges() {
        return true;
    }
}
