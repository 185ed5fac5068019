package dev.sluice.provider;

/** A response's headers as the client has them: the first value of a header, by case-insensitive name; null if absent. */
@FunctionalInterface
public interface HeaderLookup {
    String get(String name);
}
