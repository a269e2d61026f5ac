// libhdf5 (Debian installs it under hdf5/serial; pkg-config hdf5-serial adds that path).
#include <hdf5.h>
