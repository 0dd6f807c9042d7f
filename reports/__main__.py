from reports.listening import main

raise SystemExit(main())
