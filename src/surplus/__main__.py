from surplus.cli import main

raise SystemExit(main())
