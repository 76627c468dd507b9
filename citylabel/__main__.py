from citylabel.cli import main

main()
