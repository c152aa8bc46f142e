/**
 * The server's configuration: ZEO's {@code zeo.conf} (ZConfig syntax) read into immutable records.
 *
 * <p>Two layers, each with one job. {@link org.jzeo.server.config.ZConfigParser} turns text into a generic
 * {@link org.jzeo.server.config.ConfigSection} tree (syntax, {@code %define}, {@code $name}, {@code %include});
 * {@link org.jzeo.server.config.ServerConfigLoader} binds that tree to {@link org.jzeo.server.config.ServerConfig}
 * with ZEO's and ZODB's option names and defaults, refusing what it does not know. Every error is a
 * {@link org.jzeo.server.config.ConfigException} whose message starts with {@code file:line}.
 *
 * <p>Rules shared by every option:
 * <ul>
 *   <li>Keys, section types and section names are case-insensitive and lower-cased (ZConfig does the same, so
 *       {@code <filestorage Main>} is served as storage {@code main}, exactly as Python ZEO would).</li>
 *   <li>Relative paths in values are relative to the server's working directory (as in ZEO), not to the
 *       configuration file; only {@code %include} is relative to the including file. A leading {@code ~} is the
 *       user's home. Nothing on disk is checked at this stage.</li>
 *   <li>A key given twice in one section is an error; so is any key or section jzeo does not know.</li>
 *   <li>Options jzeo accepts without acting on them produce a {@link org.jzeo.server.config.ConfigWarning};
 *       options whose silent loss would be dangerous (ZEO 4 authentication, Python password
 *       functions, non-file log handlers, unsupported storage types) are errors.</li>
 * </ul>
 */
package org.jzeo.server.config;
