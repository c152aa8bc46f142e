package org.jzeo.objects;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.ListIterator;

/**
 * A list stored as one record (ZODB's {@code PersistentList}). Every change made through the list is stored at
 * commit; an element that is itself a persistent object is held by reference and loaded when it is read. The list
 * is rewritten whole at each change: for many elements, use a {@link PersistentSortedMap} keyed by position or id.
 */
public class PersistentList<E> extends PersistentCollection<E> implements List<E> {
    private ArrayList<Object> items = new ArrayList<>();
    private transient List<E> view;

    public PersistentList() {
    }

    public PersistentList(Collection<? extends E> initial) {
        addAll(initial);
    }

    @Override
    List<E> view() {
        if (view == null) {
            view = new View();
        }
        return view;
    }

    /** The list as the application sees it: persistent elements released, every change marked. */
    private final class View extends AbstractList<E> {
        @Override
        @SuppressWarnings("unchecked")
        public E get(int index) {
            return (E) Containers.release(items, index);
        }

        @Override
        @SuppressWarnings("unchecked")
        public E set(int index, E element) {
            markChanged();
            return (E) Containers.release(items.set(index, Containers.hold(element)));
        }

        @Override
        public void add(int index, E element) {
            markChanged();
            modCount++;
            items.add(index, Containers.hold(element));
        }

        @Override
        @SuppressWarnings("unchecked")
        public E remove(int index) {
            markChanged();
            modCount++;
            return (E) Containers.release(items.remove(index));
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    @Override public E get(int index) { return view().get(index); }
    @Override public E set(int index, E element) { return view().set(index, element); }
    @Override public void add(int index, E element) { view().add(index, element); }
    @Override public E remove(int index) { return view().remove(index); }
    @Override public boolean addAll(int index, Collection<? extends E> c) { return view().addAll(index, c); }
    @Override public int indexOf(Object o) { return view().indexOf(o); }
    @Override public int lastIndexOf(Object o) { return view().lastIndexOf(o); }
    @Override public ListIterator<E> listIterator() { return view().listIterator(); }
    @Override public ListIterator<E> listIterator(int index) { return view().listIterator(index); }
    @Override public List<E> subList(int from, int to) { return view().subList(from, to); }

    @Override
    public String toString() {
        return "PersistentList" + view();
    }

}
