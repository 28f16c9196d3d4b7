import os
import os.path
import sys as system
import a.b.c as d, e
from os import path
from os.path import join, exists as ex
from . import sibling
from .. import parent
from .module import thing
from ...pkg.sub import x
from . mod import y
from math import (pi,
                  tau,)
