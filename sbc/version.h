#ifndef SBC_VERSION_H
#define SBC_VERSION_H
#define SBC_VERSION "0.1.0"
#endif
