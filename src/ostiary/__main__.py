from ostiary.cli import main

main()
