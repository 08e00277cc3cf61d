/* lazylib.h - json-c and libseccomp opened on first use (lazylib.c says
 * why). nsnew calls their functions as declared in their own headers. */
#ifndef NSKIT_NSNEW_LAZYLIB_H
#define NSKIT_NSNEW_LAZYLIB_H

/* Open json-c now, or exit with the loader's message: for a run that
 * will call it only once something is made (slirp4netns's reply to a
 * --publish), so a missing library fails it before anything is. */
void lazylib_need_jsonc(void);

#endif
