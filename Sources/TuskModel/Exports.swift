// A model file needs one import: the macros come from here, everything they generate names Tusk.
@_exported import Tusk
