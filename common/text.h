/*
 * text.h: strings from outside (a destination, a -f line, an interface name, a
 * kernel string) made safe for a terminal. Linux lets an interface name hold any
 * byte but '/', ':', white space and NUL, and a targets file holds what its writer
 * put there: a control byte printed as is can clear the screen or set the window
 * title. Text output writes such bytes as \xHH, as ip(8) does; JSON needs no more
 * than its own escaping.
 */
#ifndef PP_TEXT_H
#define PP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* true when s holds a byte below 0x20 (tab excepted) or 0x7f. */
bool pp_text_has_control(const char *s);
/*
 * s with every control byte (below 0x20 but tab, and 0x7f) and every backslash
 * written as \xHH, NUL-terminated in buf (cut at len); s itself when there is none.
 * A backslash is escaped only when s holds a control byte, so that ordinary text
 * reads as it always did and an escaped one cannot be forged.
 */
const char *pp_text_safe(const char *s, char *buf, size_t len);

#endif
