// A script run by :source: settings, a parameter, then a mistake on line 7.
:format csv
:timing off

:param who => 'Lina shamy'
:params
:nosuch
:format json
