BbJVªp
ÅØ•o"pWÑÉ(‘g	3o´qw