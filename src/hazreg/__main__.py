from hazreg.cli import main

main()
