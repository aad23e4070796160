"""Cenários de teste que só observam: põem uma classe do aluno a trabalhar e contam o que aconteceu.

Uma célula de teste que use um callback do aluno precisa de um sítio onde ele escreva ficheiros,
de um modelo que ele guarde e de alguém que chame os seus métodos como o ``fit`` faria. Estes
cenários fazem isso numa pasta temporária (apagada no fim, aconteça o que acontecer) e devolvem
só dados simples: que ficheiros o callback mandou guardar, que ficheiros ficaram no disco depois
de cada época, o que tem na lista ``melhores``, que avisos deu, o histórico do ``fit`` e o erro
que o ``fit`` levantou, se levantou. O ``treinar_com_taxa`` (caderno 07) faz o mesmo para uma
taxa de aprendizagem do aluno: a taxa que o otimizador usou em cada passo e a que se lê de volta
de um modelo guardado.

Não há aqui nenhum veredicto nem nenhum valor esperado, e nada que resolva um exercício: quem
compara o que aconteceu com o que devia acontecer é a célula de teste. Na avaliação, a célula
corre no juiz (``autograder/juiz.py``) e o cenário corre no kernel do aluno
(``no_kernel("otimizacao.cenarios")``), onde os ficheiros são escritos; nos cadernos, corre
tudo no mesmo processo. Os erros que a classe do aluno levantar ao ser criada chegam à célula
tal como são (``levanta(ValueError, ...)`` e o ``NotImplementedError`` do esqueleto continuam a
funcionar); os do ``on_epoch_end`` também, e os do ``fit`` ficam em ``"erro"``.

Os caminhos de dentro da pasta temporária aparecem só com o nome do ficheiro (``"m05.keras"``);
um caminho de fora dela aparece completo (absoluto), para que se veja que não é o mesmo.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings

__all__ = ["conduzir_callback", "treinar_com_callback", "treinar_com_taxa"]

_CLASSE_MODELO = None


def _classe_do_modelo():
    """Um ``keras.Sequential`` que regista, em ``escritos``, o caminho de cada ``save`` e
    ``save_weights`` que lhe pedem, e depois guarda mesmo (criado na primeira vez que é preciso:
    importar este módulo não importa o TensorFlow)."""
    global _CLASSE_MODELO
    if _CLASSE_MODELO is None:
        import tf_keras as keras

        class ModeloQueRegista(keras.Sequential):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.escritos = []

            def save(self, filepath, *args, **kwargs):
                self.escritos.append(filepath)
                return super().save(filepath, *args, **kwargs)

            def save_weights(self, filepath, *args, **kwargs):
                self.escritos.append(filepath)
                return super().save_weights(filepath, *args, **kwargs)

        _CLASSE_MODELO = ModeloQueRegista
    return _CLASSE_MODELO


def _nome(caminho, pasta: str) -> str:
    """O nome de ``caminho`` dentro de ``pasta`` (só o nome do ficheiro), ou o caminho absoluto
    se estiver fora dela."""
    texto = os.fspath(caminho) if isinstance(caminho, (str, os.PathLike)) else str(caminho)
    if texto and os.path.realpath(os.path.dirname(texto) or os.curdir) == os.path.realpath(pasta):
        return os.path.basename(texto)
    return os.path.abspath(texto)


def _ficheiros(pasta: str) -> list[str]:
    return sorted(os.listdir(pasta)) if os.path.isdir(pasta) else []


def _melhores(callback, pasta: str):
    """A lista ``melhores`` do callback com os caminhos trocados pelos nomes (``_nome``); cada par
    fica do tipo que era (tuplo ou lista). None se o callback não tiver ``melhores``; o texto
    (``repr``) se não for uma lista de pares."""
    melhores = getattr(callback, "melhores", None)
    if melhores is None:
        return None
    try:
        return [type(par)((par[0], _nome(par[1], pasta))) if isinstance(par, (tuple, list)) and len(par) == 2
                else repr(par)[:200] for par in melhores]
    except TypeError:
        return repr(melhores)[:500]


def _numero(valor):
    try:
        return float(valor)
    except (TypeError, ValueError):
        return repr(valor)[:200]


def _avisos(registados) -> list[str]:
    return [str(aviso.message)[:500] for aviso in registados]


def conduzir_callback(classe, padrao: str, valores, monitor: str, logs_extra=None, **kwargs) -> dict:
    """Cria ``classe(os.path.join(pasta, padrao), monitor=monitor, **kwargs)`` numa pasta
    temporária, dá-lhe um modelo pequeno (``set_model``) que regista o que lhe mandam guardar, e
    chama ``on_epoch_end(epoca, logs)`` uma vez por valor de ``valores``, como o ``fit`` faria.

    ``logs`` de cada época: ``logs_extra`` (um dicionário, o mesmo em todas as épocas, ou uma
    lista com um por época) e ``{monitor: valor}``; um valor ``None`` é a métrica em falta
    nessa época (não entra nos ``logs``).

    Devolve um dicionário de dados simples: ``escritos`` (os ficheiros que o callback mandou o
    modelo guardar, por ordem), ``no_disco`` (os ficheiros da pasta no fim), ``no_disco_por_epoca``
    (os ficheiros depois de cada época), ``melhores`` (a lista ``melhores`` do callback no fim,
    com os nomes dos ficheiros) e ``avisos`` (as mensagens dos avisos dados). Um erro da classe
    (ao ser criada ou no ``on_epoch_end``) não é apanhado. Apresentado no caderno 08.
    """
    pasta = tempfile.mkdtemp(prefix="cenario_")
    try:
        callback = classe(os.path.join(pasta, padrao), monitor=monitor, **kwargs)
        import tf_keras as keras

        modelo = _classe_do_modelo()([keras.layers.Input((2,)), keras.layers.Dense(1)])
        callback.set_model(modelo)
        por_epoca = []
        with warnings.catch_warnings(record=True) as registados:
            warnings.simplefilter("always")
            for epoca, valor in enumerate(valores):
                extra = logs_extra[epoca] if isinstance(logs_extra, (list, tuple)) else logs_extra
                logs = dict(extra or {})
                logs.pop(monitor, None)
                if valor is not None:
                    logs = {monitor: valor, **logs}
                callback.on_epoch_end(epoca, logs)
                por_epoca.append(_ficheiros(pasta))
        return {
            "escritos": [_nome(c, pasta) for c in modelo.escritos],
            "no_disco": _ficheiros(pasta),
            "no_disco_por_epoca": por_epoca,
            "melhores": _melhores(callback, pasta),
            "avisos": _avisos(registados),
        }
    finally:
        shutil.rmtree(pasta, ignore_errors=True)


def treinar_com_callback(classe, padrao: str, modelo, x, y, validation_data=None, epochs: int = 1,
                         batch_size: int = 32, **kwargs) -> dict:
    """Cria ``classe(os.path.join(pasta, padrao), **kwargs)`` numa pasta temporária e treina
    ``modelo`` com ele: ``modelo.fit(x, y, validation_data=..., epochs=..., batch_size=...,
    verbose=0, callbacks=[callback])``.

    Devolve um dicionário de dados simples: ``historico`` (o ``history`` do ``fit``, com as
    épocas que chegaram a correr), ``no_disco`` (os ficheiros da pasta no fim), ``melhores`` (a
    lista ``melhores`` do callback, com os nomes dos ficheiros), ``avisos`` (as mensagens dos
    avisos dados durante o treino) e ``erro`` (None, ou ``"Tipo: mensagem"`` do erro que parou o
    ``fit``: o cenário conta-o em vez de rebentar). Um erro da classe ao ser criada não é
    apanhado. Apresentado no caderno 08.
    """
    import tf_keras as keras

    pasta = tempfile.mkdtemp(prefix="cenario_")
    try:
        callback = classe(os.path.join(pasta, padrao), **kwargs)
        historia = keras.callbacks.History()
        erro = None
        with warnings.catch_warnings(record=True) as registados:
            warnings.simplefilter("always")
            try:
                modelo.fit(x, y, validation_data=validation_data, epochs=epochs, batch_size=batch_size,
                           verbose=0, callbacks=[callback, historia])
            except Exception as e:  # noqa: BLE001 (o erro é uma observação: quem julga é o teste)
                erro = f"{type(e).__name__}: {e}"[:1000]
        return {
            "historico": {str(k): [_numero(v) for v in vs] for k, vs in historia.history.items()},
            "no_disco": _ficheiros(pasta),
            "melhores": _melhores(callback, pasta),
            "avisos": _avisos(registados),
            "erro": erro,
        }
    finally:
        shutil.rmtree(pasta, ignore_errors=True)


def treinar_com_taxa(modelo, taxa, x, y, epochs: int, batch_size: int) -> dict:
    """Treina ``modelo`` com o otimizador do curso e a taxa de aprendizagem ``taxa`` (um
    ``LearningRateSchedule``), regista a taxa que o otimizador usou em cada passo, guarda o modelo
    num ficheiro ``.keras`` temporário e lê-o de volta. Apresentado no caderno 07.

    Devolve ``{"taxas": [(iterations, lr), ...], "config_lida": {...}}``: depois do passo k
    (``iterations`` = k + 1) o otimizador usou a taxa do passo k; ``config_lida`` é a configuração
    da taxa no modelo lido do ficheiro. Um erro no ``fit``, no ``save`` ou no ``load_model`` passa
    para quem chama."""
    import tf_keras as keras

    from otimizacao import modelos

    taxas: list[tuple[int, float]] = []

    class _RegistaTaxa(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            otimizador = self.model.optimizer
            taxas.append((int(otimizador.iterations), float(otimizador.learning_rate)))

    compilado = modelos.compilar(modelo, taxa=taxa)
    compilado.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[_RegistaTaxa()])
    with tempfile.TemporaryDirectory(prefix="curso4_taxa_") as pasta:
        caminho = os.path.join(pasta, "modelo.keras")
        compilado.save(caminho)
        lido = keras.models.load_model(caminho, custom_objects={type(taxa).__name__: type(taxa)})
    return {"taxas": taxas, "config_lida": lido.optimizer.get_config()["learning_rate"]["config"]}
