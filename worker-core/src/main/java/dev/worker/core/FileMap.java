package dev.worker.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A descriptor's files: an immutable map sorted by name, held as two arrays. A worker keeps a descriptor per chunk
 * for tens of thousands of chunks, and a TreeMap with its cached views costs several hundred bytes even for one
 * file; this costs the two arrays. Views are made on demand and not cached.
 */
final class FileMap extends AbstractMap<String, FileSource> implements SortedMap<String, FileSource> {
    private final String[] names;
    private final FileSource[] sources;

    /** @param sorted entries in ascending name order, names distinct */
    private FileMap(String[] names, FileSource[] sources) {
        this.names = names;
        this.sources = sources;
    }

    /** Trusted: {@code names} ascending and distinct, URLs already shared where they can be. */
    static FileMap ofSorted(String[] names, FileSource[] sources) {
        if (names.length != sources.length) {
            throw new IllegalArgumentException(names.length + " names for " + sources.length + " sources");
        }
        return new FileMap(names, sources);
    }

    static FileMap copyOf(SortedMap<String, FileSource> files) {
        if (files instanceof FileMap map) {
            return map;
        }
        String[] names = new String[files.size()];
        FileSource[] sources = new FileSource[files.size()];
        int i = 0;
        for (Map.Entry<String, FileSource> e : files.entrySet()) {
            names[i] = e.getKey();
            sources[i] = e.getValue();
            i++;
        }
        shareUrlPrefix(names, sources);
        return new FileMap(names, sources);
    }

    /**
     * Where the files' URLs are one prefix plus each file's name (the usual layout of a store), makes every such
     * source hold the prefix as one shared String and its name as the rest: 5 files of ~100-character URLs then
     * cost one prefix instead of five URLs, about 550 bytes less per chunk.
     */
    private static void shareUrlPrefix(String[] names, FileSource[] sources) {
        if (sources.length < 2) {
            return;
        }
        String first = sources[0].url();
        if (!first.endsWith(names[0])) {
            return;
        }
        String prefix = first.substring(0, first.length() - names[0].length());
        for (int i = 0; i < sources.length; i++) {
            sources[i] = sources[i].sharing(prefix, names[i]);
        }
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String s && Arrays.binarySearch(names, s) >= 0;
    }

    @Override
    public FileSource get(Object key) {
        if (!(key instanceof String s)) {
            return null;
        }
        int i = Arrays.binarySearch(names, s);
        return i >= 0 ? sources[i] : null;
    }

    @Override
    public Set<Map.Entry<String, FileSource>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, FileSource>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < names.length;
                    }

                    @Override
                    public Map.Entry<String, FileSource> next() {
                        if (next >= names.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return Map.entry(names[i], sources[i]);
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }

    // AbstractMap caches these two views in fields; made afresh instead, so a descriptor retains nothing extra.
    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return Arrays.asList(names).iterator();
            }

            @Override
            public int size() {
                return names.length;
            }

            @Override
            public boolean contains(Object o) {
                return containsKey(o);
            }
        };
    }

    @Override
    public java.util.Collection<FileSource> values() {
        return Collections.unmodifiableList(Arrays.asList(sources));
    }

    @Override
    public Comparator<? super String> comparator() {
        return null;
    }

    @Override
    public String firstKey() {
        if (names.length == 0) {
            throw new NoSuchElementException();
        }
        return names[0];
    }

    @Override
    public String lastKey() {
        if (names.length == 0) {
            throw new NoSuchElementException();
        }
        return names[names.length - 1];
    }

    // Sub-maps are rare: served by a sorted copy.
    @Override
    public SortedMap<String, FileSource> subMap(String fromKey, String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<String, FileSource> headMap(String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<String, FileSource> tailMap(String fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }
}
