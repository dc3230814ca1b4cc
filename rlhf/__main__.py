

# %% ../nbs/08_cli.ipynb #11539a69
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #11539a69
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #11539a69
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #23455364
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #752b1ec2
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #50a733ce
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())

# %% ../nbs/08_cli.ipynb #50a733ce
import sys
from rlhf.cli import main
if __name__ == '__main__': sys.exit(main())